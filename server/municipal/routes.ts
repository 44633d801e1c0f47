import { type Request, type Response, Router } from 'express'
import type { Services } from '../app.js'
import { actorOf } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, validateForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { requireMunicipality } from '../rollup/require-municipality.js'
import { rollupBreadcrumbs } from '../rollup/view-model.js'
import { noteSave, type Saved } from '../versioned.js'
import { labelOf, municipalItemKinds, riskTreatments } from '../vocabulary.js'
import { CopiesHoldWorkError, copiesHoldWorkMessage, createItem, deleteItem, updateItem } from './push-down.js'
import {
  committeeIdsOfItem,
  findMunicipalItem,
  listCommitteesOf,
  listCopies,
  listMeasuresOfCopies,
  listMunicipalItems,
} from './repository.js'
import { asList, type ItemForm, itemForm } from './schema.js'
import { committeeGroups, itemRows, itemsHref, kindOptions, sideBySide, treatmentOptions } from './view-model.js'
import { workInCopy } from './work-in-copy.js'

/**
 * Kommungemensamma granskningar och risker under /kommun: the coordinator defines a review or risk once for a year and
 * chooses the committees and companies it applies to; each of their plans then holds a copy (push-down.ts).
 */
export function municipalRoutes({ db, clock }: Services): Router {
  const router = Router()

  /** The municipality and year of the address, or the 404 or 403 that stops the request. */
  async function municipalityOf(req: Request, res: Response, access: 'read' | 'write') {
    const { municipality, year, mayWrite } = await requireMunicipality(db, req.params, res, access)
    res.locals.mayWrite = mayWrite
    return { municipality, year }
  }

  async function itemOf(req: Request, res: Response, access: 'read' | 'write') {
    const { municipality, year } = await municipalityOf(req, res, access)
    const item = await findMunicipalItem(db, municipality.id, year, idFrom(req.params.itemId, 'Posten'))
    if (!item) throw new NotFoundError('Den kommungemensamma posten')
    return { municipality, year, item }
  }

  type Of = Awaited<ReturnType<typeof municipalityOf>>
  const listBreadcrumbs = ({ municipality, year }: Of) => rollupBreadcrumbs(municipality.id, year, null)
  const itemBreadcrumbs = (of: Of) => [
    ...listBreadcrumbs(of),
    { href: itemsHref(of.municipality.id, of.year), text: 'Kommungemensamma granskningar och risker' },
  ]

  type Committees = Awaited<ReturnType<typeof listCommitteesOf>>

  /** The form; `committees` when the post has read them already, to check the choice. */
  async function renderForm(res: Response, of: Of, locals: object, status = 200, committees?: Committees) {
    res.status(status).render('municipal/form', {
      ...locals,
      municipality: of.municipality,
      year: of.year,
      kindOptions,
      treatmentOptions,
      committeeGroups: committeeGroups(committees ?? (await listCommitteesOf(db, of.municipality.id))),
    })
  }

  /** The committees chosen must be the municipality's own. */
  const checkCommittees = (own: Committees, value: ItemForm): FieldErrors =>
    value.committees.every((id) => own.some((c) => c.id === id))
      ? {}
      : { committees: 'Välj nämnder och bolag i listan.' }

  /** The user's input for the form again; checkboxes arrive as one value or several. */
  const kept = (body: Record<string, unknown>) => ({ ...body, committees: asList(body.committees) })

  const toValues = (v: ItemForm) => ({
    kind: v.kind,
    title: v.title,
    description: v.description,
    treatment: v.treatment,
    diary_number: v.diaryNumber,
  })

  const newItemPage = (of: Of) => ({
    title: `Ny kommungemensam granskning eller risk ${of.year}`,
    breadcrumbs: itemBreadcrumbs(of),
    action: itemsHref(of.municipality.id, of.year, '/ny'),
    submitLabel: 'Spara och lägg in i planerna',
    cancelHref: itemsHref(of.municipality.id, of.year),
  })
  const editItemPage = (of: Of, item: { id: number; title: string }) => ({
    title: `Redigera: ${item.title}`,
    breadcrumbs: itemBreadcrumbs(of),
    action: itemsHref(of.municipality.id, of.year, `/${item.id}/redigera`),
    submitLabel: 'Spara ändringarna i alla planer',
    cancelHref: itemsHref(of.municipality.id, of.year, `/${item.id}`),
  })

  router.get('/:municipalityId/:year/gemensamma', async (req, res) => {
    const of = await municipalityOf(req, res, 'read')
    const items = await listMunicipalItems(db, of.municipality.id, of.year)
    res.render('municipal/index', {
      title: `Kommungemensamma granskningar och risker ${of.year}`,
      breadcrumbs: listBreadcrumbs(of),
      municipality: of.municipality,
      year: of.year,
      newHref: itemsHref(of.municipality.id, of.year, '/ny'),
      previous: { year: of.year - 1, href: itemsHref(of.municipality.id, of.year - 1) },
      next: { year: of.year + 1, href: itemsHref(of.municipality.id, of.year + 1) },
      items: itemRows(items, of.municipality.id, of.year),
    })
  })

  router.get('/:municipalityId/:year/gemensamma/ny', async (req, res) => {
    const of = await municipalityOf(req, res, 'write')
    await renderForm(res, of, { ...newItemPage(of), ...formState({ kind: 'review', treatment: 'review' }) })
  })

  router.post('/:municipalityId/:year/gemensamma/ny', async (req, res) => {
    const of = await municipalityOf(req, res, 'write')
    const committees = await listCommitteesOf(db, of.municipality.id)
    const parsed = await validateForm(itemForm, req.body, async (value) => checkCommittees(committees, value))
    if (!parsed.ok) {
      return renderForm(res, of, { ...newItemPage(of), ...formState(kept(req.body), parsed.errors) }, 400, committees)
    }
    const actor = actorOf(res, clock)
    const id = await db
      .transaction()
      .execute((trx) =>
        createItem(
          trx,
          actor,
          { ...toValues(parsed.value), municipality_id: of.municipality.id, year: of.year },
          parsed.value.committees,
        ),
      )
    setNotice(res, 'Posten är sparad och inlagd i de valda planerna.')
    res.redirect(303, itemsHref(of.municipality.id, of.year, `/${id}`))
  })

  router.get('/:municipalityId/:year/gemensamma/:itemId', async (req, res) => {
    const { municipality, year, item } = await itemOf(req, res, 'read')
    const [committees, chosenIds, copies, measures, recordHistory] = await Promise.all([
      listCommitteesOf(db, municipality.id),
      committeeIdsOfItem(db, item.id),
      listCopies(db, item.id),
      listMeasuresOfCopies(db, item.id),
      historyOf(db, 'municipal_item', item.id),
    ])
    const chosen = committees.filter((c) => chosenIds.includes(c.id))
    res.render('municipal/show', {
      title: item.title,
      breadcrumbs: itemBreadcrumbs({ municipality, year }),
      municipality,
      year,
      item: {
        ...item,
        kindLabel: labelOf(municipalItemKinds, item.kind),
        kindWord: labelOf(municipalItemKinds, item.kind).toLowerCase(),
        treatmentLabel: labelOf(riskTreatments, item.treatment),
      },
      editHref: itemsHref(municipality.id, year, `/${item.id}/redigera`),
      deleteHref: itemsHref(municipality.id, year, `/${item.id}/ta-bort`),
      columns: sideBySide(chosen, copies, measures, swedishDate(clock())),
      recordHistory,
    })
  })

  router.get('/:municipalityId/:year/gemensamma/:itemId/redigera', async (req, res) => {
    const { municipality, year, item } = await itemOf(req, res, 'write')
    const committees = await committeeIdsOfItem(db, item.id)
    await renderForm(
      res,
      { municipality, year },
      {
        ...editItemPage({ municipality, year }, item),
        ...formState({
          kind: item.kind,
          title: item.title,
          description: item.description,
          treatment: item.treatment,
          diaryNumber: item.diary_number,
          committees,
          originalCommittees: committees.join(','),
          version: item.version,
        }),
      },
    )
  })

  router.post('/:municipalityId/:year/gemensamma/:itemId/redigera', async (req, res) => {
    const { municipality, year, item } = await itemOf(req, res, 'write')
    const of = { municipality, year }
    const committees = await listCommitteesOf(db, municipality.id)
    const parsed = await validateForm(itemForm, req.body, async (value) => checkCommittees(committees, value))
    const refuse = (errors: FieldErrors) =>
      renderForm(res, of, { ...editItemPage(of, item), ...formState(kept(req.body), errors) }, 400, committees)
    if (!parsed.ok) return refuse(parsed.errors)
    const actor = actorOf(res, clock)
    const { version, committees: posted, originalCommittees: shown } = parsed.value
    let saved: Saved
    try {
      saved = await db
        .transaction()
        .execute((trx) => updateItem(trx, actor, item.id, version, toValues(parsed.value), { posted, shown }))
    } catch (error) {
      if (!(error instanceof CopiesHoldWorkError)) throw error
      return refuse({ committees: copiesHoldWorkMessage(error.busy, false) })
    }
    noteSave(res, 'Posten är sparad, och planernas kopior med den.', saved)
    res.redirect(303, itemsHref(municipality.id, year, `/${item.id}`))
  })

  router.get('/:municipalityId/:year/gemensamma/:itemId/ta-bort', async (req, res) => {
    const { municipality, year, item } = await itemOf(req, res, 'write')
    const copies = await listCopies(db, item.id)
    const busy = copies.filter((c) => workInCopy(c).length > 0)
    res.render('confirm-delete', {
      title: `Ta bort: ${item.title}`,
      breadcrumbs: itemBreadcrumbs({ municipality, year }),
      blocked:
        busy.length > 0
          ? copiesHoldWorkMessage(
              busy.map((c) => `${c.committeeName} (${workInCopy(c).join(', ')})`),
              true,
            )
          : undefined,
      question: `Vill du ta bort den kommungemensamma posten ”${item.title}”?`,
      consequences: copies.map((c) => `Kopian i ${c.planTitle} för ${c.committeeName}`),
      action: itemsHref(municipality.id, year, `/${item.id}/ta-bort`),
      cancelHref: itemsHref(municipality.id, year, `/${item.id}`),
    })
  })

  router.post('/:municipalityId/:year/gemensamma/:itemId/ta-bort', async (req, res) => {
    const { municipality, year, item } = await itemOf(req, res, 'write')
    const actor = actorOf(res, clock)
    try {
      await db.transaction().execute((trx) => deleteItem(trx, actor, item))
    } catch (error) {
      if (!(error instanceof CopiesHoldWorkError)) throw error
      res.status(400).render('confirm-delete', {
        title: `Ta bort: ${item.title}`,
        breadcrumbs: itemBreadcrumbs({ municipality, year }),
        blocked: copiesHoldWorkMessage(error.busy, true),
        cancelHref: itemsHref(municipality.id, year, `/${item.id}`),
      })
      return
    }
    setNotice(res, 'Posten är borttagen, med kopiorna i planerna.')
    res.redirect(303, itemsHref(municipality.id, year))
  })

  return router
}
