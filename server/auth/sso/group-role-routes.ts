import { type Response, Router } from 'express'
import { z } from 'zod'
import type { Db } from '../../../db/connection.js'
import type { GroupRole } from '../../../db/schema.js'
import type { Services } from '../../app.js'
import { actorOf, audited } from '../../audit/audited.js'
import { NotFoundError } from '../../errors.js'
import { type FieldErrors, formState, oneOf, optionalChosenId, requiredText, validateForm } from '../../forms.js'
import { idFrom } from '../../ids.js'
import { setNotice } from '../../notice.js'
import { listCommitteesWithAdministration, listOwnerUnits } from '../../organisation/repository.js'
import { swedishOrder } from '../../vocabulary.js'
import { authorize, can } from '../permissions.js'
import { viewerOf } from '../session.js'
import { deleteGroupRole, type GroupRoleTarget, insertGroupRole, listGroupRoles } from './repository.js'

export const groupRolesHref = '/admin/grupper'

const roles: readonly { code: GroupRole; label: string; needs?: 'committeeId' | 'unitId' | 'municipalityId' }[] = [
  { code: 'admin', label: 'Administratör' },
  { code: 'secretary', label: 'Sekreterare i en nämnd eller ett bolag', needs: 'committeeId' },
  { code: 'reader', label: 'Läsare i en nämnd eller ett bolag', needs: 'committeeId' },
  { code: 'unit', label: 'Ansvarig för en enhet', needs: 'unitId' },
  { code: 'coordinator', label: 'Kommunövergripande samordnare', needs: 'municipalityId' },
]

const missingTarget = {
  committeeId: 'Välj nämnden eller bolaget som rollen gäller.',
  unitId: 'Välj enheten som rollen gäller.',
  municipalityId: 'Välj kommunen som rollen gäller.',
} as const

const mappingFields = z.object({
  groupName: requiredText('Ange gruppen så som organisationens inloggning skickar den.', 200),
  role: oneOf(roles, 'Välj en roll.'),
  committeeId: optionalChosenId,
  unitId: optionalChosenId,
  municipalityId: optionalChosenId,
})

/**
 * The administrator's mapping from the groups the identity provider sends to roles here: list, add, remove. Each
 * change is in the audit log; the roles themselves change at each person's next sign-in.
 */
export function groupRoleRoutes({ db, clock, config }: Services): Router {
  const router = Router()
  router.use(groupRolesHref, (_req, res, next) => {
    authorize(can.manageUsers(viewerOf(res)))
    next()
  })

  async function render(res: Response, locals: object, status = 200) {
    const [mappings, committees, units, municipalities] = await Promise.all([
      listGroupRoles(db),
      listCommitteesWithAdministration(db),
      listOwnerUnits(db),
      db.selectFrom('municipality').select(['id', 'name']).execute(),
    ])
    res.status(status).render('admin/group-roles', {
      title: 'Roller från organisationens grupper',
      breadcrumbs: [{ href: '/admin/anvandare', text: 'Användare' }],
      providerName: config.oidc?.name,
      mappings: mappings
        .map((m) => ({
          ...m,
          roleLabel: roles.find((r) => r.code === m.role)?.label,
          target: m.committeeName ?? m.unitName ?? m.municipalityName ?? '',
        }))
        .sort((a, b) => swedishOrder.compare(a.groupName, b.groupName)),
      roles: roles.map((r) => ({ value: r.code, label: r.label })),
      committees: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      units: units.map((u) => ({ value: u.id, label: `${u.name} (${u.administrationName})` })),
      municipalities: municipalities
        .sort((a, b) => swedishOrder.compare(a.name, b.name))
        .map((m) => ({ value: m.id, label: m.name })),
      ...locals,
    })
  }

  router.get(groupRolesHref, async (_req, res) => {
    await render(res, formState({}))
  })

  /** The committee, unit or municipality the role needs, chosen and existing; the other lists are not its. */
  async function targetOf(
    trx: Db,
    role: GroupRole,
    chosen: GroupRoleTarget,
  ): Promise<{ target: GroupRoleTarget } | { errors: FieldErrors }> {
    const needs = roles.find((r) => r.code === role)?.needs
    const none = { committeeId: null, unitId: null, municipalityId: null }
    if (!needs) return { target: none }
    const id = chosen[needs]
    const table = { committeeId: 'committee', unitId: 'owner_unit', municipalityId: 'municipality' } as const
    const found =
      id !== null && (await trx.selectFrom(table[needs]).select('id').where('id', '=', id).executeTakeFirst())
    return found ? { target: { ...none, [needs]: id } } : { errors: { [needs]: missingTarget[needs] } }
  }

  router.post(groupRolesHref, async (req, res) => {
    const actor = actorOf(res, clock)
    // Checked and written in one transaction: what the role is given in cannot go between the check and the insert.
    const result = await db.transaction().execute(async (trx) => {
      let target: GroupRoleTarget | undefined
      const parsed = await validateForm(mappingFields, req.body, async (v): Promise<FieldErrors> => {
        const found = await targetOf(trx, v.role, v)
        if ('errors' in found) return found.errors
        const chosen = found.target
        target = chosen
        // Groups are compared without case at sign-in (repository.ts), so here too.
        const same = (await listGroupRoles(trx)).some(
          (m) =>
            m.groupName.toLocaleLowerCase('sv') === v.groupName.toLocaleLowerCase('sv') &&
            m.role === v.role &&
            m.committeeId === chosen.committeeId &&
            m.unitId === chosen.unitId &&
            m.municipalityId === chosen.municipalityId,
        )
        return same ? { groupName: 'Gruppen ger redan den rollen.' } : {}
      })
      if (!parsed.ok || !target) return parsed
      const mapping = { groupName: parsed.value.groupName, role: parsed.value.role, createdAt: actor.at, ...target }
      await audited(trx, actor, 'create', { entity: 'sso_group_role', planId: null }, () =>
        insertGroupRole(trx, mapping),
      )
      return parsed
    })
    if (!result.ok) return render(res, formState(req.body ?? {}, result.errors), 400)
    setNotice(
      res,
      `Kopplingen är tillagd. Den som är med i gruppen ${result.value.groupName} får rollen nästa gång hen loggar in.`,
    )
    res.redirect(303, groupRolesHref)
  })

  router.post(`${groupRolesHref}/:mappingId/ta-bort`, async (req, res) => {
    const id = idFrom(req.params.mappingId, 'Kopplingen')
    const mapping = (await listGroupRoles(db)).find((m) => m.id === id)
    if (!mapping) throw new NotFoundError('Kopplingen')
    await db
      .transaction()
      .execute((trx) =>
        audited(trx, actorOf(res, clock), 'delete', { entity: 'sso_group_role', id, planId: null }, () =>
          deleteGroupRole(trx, id),
        ),
      )
    setNotice(
      res,
      `Gruppen ${mapping.groupName} ger inte längre rollen. Den som har fått rollen genom gruppen förlorar den vid nästa inloggning.`,
    )
    res.redirect(303, groupRolesHref)
  })

  return router
}
