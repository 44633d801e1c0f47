import { type Response, Router } from 'express'
import { z } from 'zod'
import plural from '../../views/helpers/plural.js'
import type { Services } from '../app.js'
import { actorOf, audited, auditedTransaction } from '../audit/audited.js'
import { NotFoundError } from '../errors.js'
import { chosenId, type FieldErrors, formState, oneOf, requiredText, validateForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import {
  deleteOwnerUnit,
  ensureMunicipality,
  findAdministration,
  findCommittee,
  findOwnerUnit,
  insertAdministration,
  insertCommittee,
  insertOwnerUnit,
  listAdministrations,
  listCommitteesWithAdministration,
  listOwnerUnits,
  renameOwnerUnit,
  updateAdministration,
  updateCommittee,
} from '../organisation/repository.js'
import { readReminderDays } from '../reminders/due.js'
import { committeeKinds, labelOf } from '../vocabulary.js'

const administrationFields = z.object({
  name: requiredText('Ange förvaltningens namn.', 200),
  // The first part of the administration's diary numbers, as the review form checks them: "SBF" of SBF-2021-00123.
  diaryPrefix: requiredText('Ange förvaltningens diarieprefix.', 20).pipe(
    z.string().regex(/^\p{L}[\p{L}\d]*$/u, 'Ange prefixet med bokstäver (och siffror), utan bindestreck.'),
  ),
})
const newAdministrationFields = administrationFields.extend({
  municipality: requiredText('Ange kommunens namn.', 200),
})
const committeeFields = z.object({
  name: requiredText('Ange nämndens eller bolagets namn.', 200),
  kind: oneOf(committeeKinds, 'Välj om det är en nämnd eller ett kommunalt bolag.'),
  administrationId: chosenId('Välj en förvaltning i listan.'),
})
const kindOptions = committeeKinds.map((k) => ({ value: k.code, label: k.label }))
/**
 * The days before a measure's due date that its owners are reminded, typed as a person would ("14, 3"), stored
 * largest first and each once ('14,3'). The pass reads them with the same reader, which ignores what is refused here.
 */
const reminderDays = requiredText('Ange dagarna, till exempel 14, 3.', 100).pipe(
  z.string().transform((typed, ctx) => {
    const { days, problem } = readReminderDays(typed)
    if (problem === undefined) return days.join(',')
    ctx.addIssue({ code: 'custom', message: problem })
    return z.NEVER
  }),
)
const committeeEditFields = committeeFields.extend({ reminderDays })
/** '14,3' as the form shows it. */
const typedDays = (stored: string) => stored.split(',').join(', ')

const unitFields = z.object({ name: requiredText('Ange enhetens namn, till exempel HR-avdelningen.', 200) })
const newUnitFields = unitFields.extend({ administrationId: chosenId('Välj en förvaltning i listan.') })

const administrationsHref = '/admin/forvaltningar'
const committeesHref = '/admin/namnder'
const unitsHref = '/admin/enheter'

/** The administrator's pages for the organisation: municipalities' administrations, committees, owner units. */
export function organisationRoutes({ db, clock }: Services): Router {
  const router = Router()

  const administrationOptions = async () =>
    (await listAdministrations(db)).map((a) => ({ value: a.id, label: `${a.name} (${a.municipalityName})` }))

  /** Names and prefixes are unique within a municipality: the committee's plans and diary numbers depend on it. */
  async function administrationClash(
    municipalityId: number | undefined,
    v: { name: string; diaryPrefix: string },
    selfId?: number,
  ): Promise<FieldErrors> {
    if (municipalityId === undefined) return {}
    const others = await db
      .selectFrom('administration')
      .select(['name', 'diary_prefix as diaryPrefix'])
      .where('municipality_id', '=', municipalityId)
      .where((eb) => eb.or([eb('name', '=', v.name), eb('diary_prefix', '=', v.diaryPrefix)]))
      .$if(selfId !== undefined, (qb) => qb.where('id', '!=', selfId as number))
      .execute()
    const errors: FieldErrors = {}
    if (others.some((a) => a.name === v.name)) errors.name = 'Kommunen har redan en förvaltning med det namnet.'
    const samePrefix = others.find((a) => a.diaryPrefix === v.diaryPrefix)
    if (samePrefix) errors.diaryPrefix = `${samePrefix.name} har redan prefixet ${v.diaryPrefix}.`
    return errors
  }

  async function renderAdministrations(res: Response, locals: object, status = 200) {
    res.status(status).render('admin/administrations', {
      title: 'Förvaltningar',
      administrations: await listAdministrations(db),
      ...locals,
    })
  }

  router.get(administrationsHref, async (_req, res) => {
    await renderAdministrations(res, formState({}))
  })

  router.post(administrationsHref, async (req, res) => {
    const parsed = await validateForm(newAdministrationFields, req.body, async (v) => {
      const municipality = await db
        .selectFrom('municipality')
        .select('id')
        .where('name', '=', v.municipality)
        .executeTakeFirst()
      return administrationClash(municipality?.id, v)
    })
    if (!parsed.ok) return renderAdministrations(res, formState(req.body, parsed.errors), 400)
    const v = parsed.value
    const actor = actorOf(res, clock)
    await db.transaction().execute(async (trx) => {
      const municipalityId = await ensureMunicipality(trx, actor, v.municipality)
      await audited(trx, actor, 'create', { entity: 'administration', planId: null }, () =>
        insertAdministration(trx, { municipalityId, name: v.name, diaryPrefix: v.diaryPrefix }),
      )
    })
    setNotice(res, `${v.name} är tillagd.`)
    res.redirect(303, administrationsHref)
  })

  async function loadAdministration(id: unknown) {
    const administration = await findAdministration(db, idFrom(id, 'Förvaltningen'))
    if (!administration) throw new NotFoundError('Förvaltningen')
    return administration
  }

  function renderAdministration(
    res: Response,
    administration: { id: number; name: string },
    locals: object,
    status = 200,
  ) {
    res.status(status).render('admin/administration', {
      title: `Ändra ${administration.name}`,
      breadcrumbs: [{ href: administrationsHref, text: 'Förvaltningar' }],
      action: `${administrationsHref}/${administration.id}/redigera`,
      ...locals,
    })
  }

  router.get(`${administrationsHref}/:administrationId/redigera`, async (req, res) => {
    const administration = await loadAdministration(req.params.administrationId)
    renderAdministration(res, administration, formState(administration))
  })

  router.post(`${administrationsHref}/:administrationId/redigera`, async (req, res) => {
    const administration = await loadAdministration(req.params.administrationId)
    const parsed = await validateForm(administrationFields, req.body, (v) =>
      administrationClash(administration.municipalityId, v, administration.id),
    )
    if (!parsed.ok) return renderAdministration(res, administration, formState(req.body, parsed.errors), 400)
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'administration', id: administration.id, planId: null },
      (trx) => updateAdministration(trx, administration.id, parsed.value),
    )
    setNotice(res, `${parsed.value.name} är sparad.`)
    res.redirect(303, administrationsHref)
  })

  /**
   * The administration must exist and, for a committee that exists, lie in its municipality; a committee's name is
   * unique within its municipality. A committee with plans keeps its administration: their measures belong to its units.
   */
  async function committeeProblems(
    v: z.output<typeof committeeFields>,
    committee?: { id: number; administrationId: number; municipalityId: number },
  ): Promise<FieldErrors> {
    const administration = await findAdministration(db, v.administrationId)
    if (!administration) return { administrationId: 'Välj en förvaltning i listan.' }
    if (committee && administration.id !== committee.administrationId) {
      if (administration.municipalityId !== committee.municipalityId) {
        return { administrationId: 'Välj en förvaltning i nämndens kommun.' }
      }
      const plan = await db.selectFrom('plan').select('id').where('committee_id', '=', committee.id).executeTakeFirst()
      if (plan) {
        return {
          administrationId:
            'Nämnden har redan planer, och deras åtgärder ägs av förvaltningens enheter. Förvaltningen kan inte bytas.',
        }
      }
    }
    const taken = await db
      .selectFrom('committee')
      .select('id')
      .where('municipality_id', '=', administration.municipalityId)
      .where('name', '=', v.name)
      .$if(committee !== undefined, (qb) => qb.where('id', '!=', committee?.id as number))
      .executeTakeFirst()
    return taken ? { name: 'Kommunen har redan en nämnd eller ett bolag med det namnet.' } : {}
  }

  async function renderCommittees(res: Response, locals: object, status = 200) {
    const [committees, administrations] = await Promise.all([
      listCommitteesWithAdministration(db),
      administrationOptions(),
    ])
    res.status(status).render('admin/committees', {
      title: 'Nämnder och bolag',
      committees: committees.map((c) => ({
        ...c,
        kindLabel: labelOf(committeeKinds, c.kind),
        reminderDays: typedDays(c.reminderDays),
      })),
      administrations,
      kindOptions,
      ...locals,
    })
  }

  router.get(committeesHref, async (_req, res) => {
    await renderCommittees(res, formState({}))
  })

  router.post(committeesHref, async (req, res) => {
    const parsed = await validateForm(committeeFields, req.body, (v) => committeeProblems(v))
    if (!parsed.ok) return renderCommittees(res, formState(req.body, parsed.errors), 400)
    await auditedTransaction(db, actorOf(res, clock), 'create', { entity: 'committee', planId: null }, (trx) =>
      insertCommittee(trx, parsed.value),
    )
    setNotice(res, `${parsed.value.name} är tillagd.`)
    res.redirect(303, committeesHref)
  })

  async function loadCommittee(id: unknown) {
    const committee = await findCommittee(db, idFrom(id, 'Nämnden'))
    if (!committee) throw new NotFoundError('Nämnden')
    return committee
  }

  async function renderCommittee(res: Response, committee: { id: number; name: string }, locals: object, status = 200) {
    res.status(status).render('admin/committee', {
      title: `Ändra ${committee.name}`,
      breadcrumbs: [{ href: committeesHref, text: 'Nämnder och bolag' }],
      action: `${committeesHref}/${committee.id}/redigera`,
      administrations: await administrationOptions(),
      kindOptions,
      ...locals,
    })
  }

  router.get(`${committeesHref}/:committeeId/redigera`, async (req, res) => {
    const committee = await loadCommittee(req.params.committeeId)
    await renderCommittee(res, committee, formState({ ...committee, reminderDays: typedDays(committee.reminderDays) }))
  })

  router.post(`${committeesHref}/:committeeId/redigera`, async (req, res) => {
    const committee = await loadCommittee(req.params.committeeId)
    const parsed = await validateForm(committeeEditFields, req.body, (v) => committeeProblems(v, committee))
    if (!parsed.ok) return renderCommittee(res, committee, formState(req.body, parsed.errors), 400)
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'committee', id: committee.id, planId: null },
      (trx) => updateCommittee(trx, committee.id, parsed.value),
    )
    setNotice(res, `${parsed.value.name} är sparad.`)
    res.redirect(303, committeesHref)
  })

  /** A unit's name is unique within its administration. */
  async function unitNameTaken(administrationId: number, name: string, selfId?: number): Promise<FieldErrors> {
    const taken = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('administration_id', '=', administrationId)
      .where('name', '=', name)
      .$if(selfId !== undefined, (qb) => qb.where('id', '!=', selfId as number))
      .executeTakeFirst()
    return taken ? { name: 'Förvaltningen har redan en enhet med det namnet.' } : {}
  }

  async function renderUnits(res: Response, locals: object, status = 200) {
    const [administrations, units] = await Promise.all([administrationOptions(), listOwnerUnits(db)])
    res.status(status).render('admin/units', { title: 'Ansvariga enheter', administrations, units, ...locals })
  }

  router.get(unitsHref, async (_req, res) => {
    await renderUnits(res, formState({}))
  })

  router.post(unitsHref, async (req, res) => {
    const parsed = await validateForm(newUnitFields, req.body, async (v) =>
      (await findAdministration(db, v.administrationId))
        ? unitNameTaken(v.administrationId, v.name)
        : { administrationId: 'Välj en förvaltning i listan.' },
    )
    if (!parsed.ok) return renderUnits(res, formState(req.body, parsed.errors), 400)
    await auditedTransaction(db, actorOf(res, clock), 'create', { entity: 'owner_unit', planId: null }, (trx) =>
      insertOwnerUnit(trx, parsed.value.administrationId, parsed.value.name),
    )
    setNotice(res, `${parsed.value.name} är tillagd.`)
    res.redirect(303, unitsHref)
  })

  async function loadUnit(id: unknown) {
    const unit = await findOwnerUnit(db, idFrom(id, 'Enheten'))
    if (!unit) throw new NotFoundError('Enheten')
    return unit
  }

  function renderUnit(res: Response, unit: { id: number; name: string }, locals: object, status = 200) {
    res.status(status).render('admin/unit', {
      title: `Byt namn på ${unit.name}`,
      breadcrumbs: [{ href: unitsHref, text: 'Ansvariga enheter' }],
      action: `${unitsHref}/${unit.id}/redigera`,
      ...locals,
    })
  }

  router.get(`${unitsHref}/:unitId/redigera`, async (req, res) => {
    const unit = await loadUnit(req.params.unitId)
    renderUnit(res, unit, formState(unit))
  })

  router.post(`${unitsHref}/:unitId/redigera`, async (req, res) => {
    const unit = await loadUnit(req.params.unitId)
    const parsed = await validateForm(unitFields, req.body, (v) =>
      unitNameTaken(unit.administrationId, v.name, unit.id),
    )
    if (!parsed.ok) return renderUnit(res, unit, formState(req.body, parsed.errors), 400)
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'owner_unit', id: unit.id, planId: null },
      (trx) => renameOwnerUnit(trx, unit.id, parsed.value.name),
    )
    setNotice(res, `${unit.name} heter nu ${parsed.value.name}.`)
    res.redirect(303, unitsHref)
  })

  /** Why the unit cannot go, or undefined: its measures would lose their owner and its ansvariga their role. */
  function unitInUse(unit: Awaited<ReturnType<typeof loadUnit>>): string | undefined {
    const uses = [
      ...(unit.measureCount > 0 ? [`äger ${plural(unit.measureCount, 'åtgärd', 'åtgärder')}`] : []),
      ...(unit.memberCount > 0 ? [`har ${plural(unit.memberCount, 'ansvarig', 'ansvariga')}`] : []),
      ...(unit.groupCount > 0
        ? [`är kopplad till ${plural(unit.groupCount, 'grupp', 'grupper')} under Roller från grupper`]
        : []),
    ]
    if (uses.length === 0) return undefined
    return (
      `${unit.name} kan inte tas bort eftersom enheten ${uses.join(' och ')}. ` +
      'Ge åtgärderna en annan ansvarig enhet och ta bort enheten från användarnas roller och gruppernas kopplingar ' +
      'först, eller byt namn på enheten.'
    )
  }

  function renderDelete(res: Response, unit: Awaited<ReturnType<typeof loadUnit>>, status = 200) {
    res.status(status).render('confirm-delete', {
      title: `Ta bort ${unit.name}`,
      breadcrumbs: [{ href: unitsHref, text: 'Ansvariga enheter' }],
      blocked: unitInUse(unit),
      question: `Vill du ta bort den ansvariga enheten ${unit.name} (${unit.administrationName})?`,
      action: `${unitsHref}/${unit.id}/ta-bort`,
      cancelHref: unitsHref,
    })
  }

  router.get(`${unitsHref}/:unitId/ta-bort`, async (req, res) => {
    renderDelete(res, await loadUnit(req.params.unitId))
  })

  router.post(`${unitsHref}/:unitId/ta-bort`, async (req, res) => {
    const unit = await loadUnit(req.params.unitId)
    // Counted with the delete: a role given meanwhile would otherwise go with the unit, unlogged (ON DELETE CASCADE).
    const inUse = await db.transaction().execute(async (trx) => {
      const now = (await findOwnerUnit(trx, unit.id)) ?? unit
      if (unitInUse(now)) return now
      await audited(trx, actorOf(res, clock), 'delete', { entity: 'owner_unit', id: unit.id, planId: null }, () =>
        deleteOwnerUnit(trx, unit.id),
      )
      return undefined
    })
    if (inUse) return renderDelete(res, inUse, 400)
    setNotice(res, `${unit.name} är borttagen.`)
    res.redirect(303, unitsHref)
  })

  return router
}
