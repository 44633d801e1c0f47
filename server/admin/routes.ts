import { type Response, Router } from 'express'
import { z } from 'zod'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { hashPassword } from '../auth/passwords.js'
import { authorize, can } from '../auth/permissions.js'
import {
  addUnitMember,
  endSessionsOf,
  findUser,
  findUserByEmail,
  grantCommitteeRole,
  insertUser,
  listUsers,
  setDisabled,
  setPassword,
} from '../auth/repository.js'
import { viewerOf } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { checkbox, type FieldErrors, formState, parseForm, requiredText, text, validateForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { insertOwnerUnit } from '../organisation/repository.js'
import { listCommittees } from '../plans/repository.js'

const password = text.pipe(z.string().min(12, 'Lösenordet ska vara minst 12 tecken långt.').max(200))
// Checkboxes arrive as one value or several; none at all is no field.
const ids = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(
      z
        .string()
        .regex(/^\d{1,10}$/, 'Välj i listan.')
        .transform(Number),
    )
    .transform((list) => [...new Set(list)]),
)

const userForm = z.object({
  name: requiredText('Ange namnet.', 200),
  email: requiredText('Ange e-postadressen.', 254).pipe(
    z.email('Ange en giltig e-postadress, till exempel anna@malmo.se.'),
  ),
  password,
  admin: checkbox,
  secretaryOf: ids,
  readerOf: ids,
  units: ids,
})

/** The administrator's pages: accounts and their roles. */
export function adminRoutes({ db, clock }: Services): Router {
  const router = Router()
  router.use('/admin', (_req, res, next) => {
    authorize(can.manageUsers(viewerOf(res)))
    next()
  })

  async function renderNew(res: Response, locals: object, status = 200) {
    const [committees, units] = await Promise.all([
      listCommittees(db),
      db.selectFrom('owner_unit').select(['id', 'name']).orderBy('name').execute(),
    ])
    res.status(status).render('admin/new-user', {
      title: 'Ny användare',
      breadcrumbs: [{ href: '/admin/anvandare', text: 'Användare' }],
      committees: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      units: units.map((u) => ({ value: u.id, label: u.name })),
      ...locals,
    })
  }

  async function loadUser(id: unknown) {
    const user = await findUser(db, idFrom(id, 'Användaren'))
    if (!user) throw new NotFoundError('Användaren')
    return user
  }

  router.get('/admin/anvandare', async (_req, res) => {
    res.render('admin/users', { title: 'Användare', users: await listUsers(db) })
  })

  router.get('/admin/anvandare/ny', async (_req, res) => {
    await renderNew(res, formState({}))
  })

  router.post('/admin/anvandare/ny', async (req, res) => {
    const parsed = await validateForm(
      userForm,
      req.body,
      async (v): Promise<FieldErrors> =>
        (await findUserByEmail(db, v.email)) ? { email: 'Det finns redan en användare med den e-postadressen.' } : {},
    )
    if (!parsed.ok) return renderNew(res, formState({ ...req.body, password: '' }, parsed.errors), 400)
    const v = parsed.value
    const passwordHash = await hashPassword(v.password)
    await auditedTransaction(db, actorOf(res, clock), 'create', { entity: 'app_user', planId: null }, async (trx) => {
      const id = await insertUser(trx, {
        email: v.email,
        name: v.name,
        passwordHash,
        isAdmin: v.admin,
        createdAt: clock().toISOString(),
      })
      for (const committeeId of v.secretaryOf) await grantCommitteeRole(trx, id, committeeId, 'secretary')
      for (const committeeId of v.readerOf) await grantCommitteeRole(trx, id, committeeId, 'reader')
      for (const unitId of v.units) await addUnitMember(trx, id, unitId)
      return id
    })
    res.redirect(303, '/admin/anvandare')
  })

  router.post('/admin/anvandare/:userId/sparr', async (req, res) => {
    const user = await loadUser(req.params.userId)
    if (user.id === viewerOf(res).id) throw new NotFoundError('Användaren') // one cannot lock oneself out
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'app_user', id: user.id, planId: null },
      // The state the administrator saw and chose, so a second click does not undo the first.
      (trx) => setDisabled(trx, user.id, req.body?.disable === '1'),
    )
    res.redirect(303, '/admin/anvandare')
  })

  router.get('/admin/anvandare/:userId/losenord', async (req, res) => {
    const user = await loadUser(req.params.userId)
    res.render('admin/reset-password', { title: `Nytt lösenord för ${user.name}`, user, ...formState({}) })
  })

  router.post('/admin/anvandare/:userId/losenord', async (req, res) => {
    const user = await loadUser(req.params.userId)
    const parsed = parseForm(z.object({ password }), req.body)
    if (!parsed.ok) {
      return res.status(400).render('admin/reset-password', {
        title: `Nytt lösenord för ${user.name}`,
        user,
        ...formState({}, parsed.errors),
      })
    }
    const passwordHash = await hashPassword(parsed.value.password)
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'app_user', id: user.id, planId: null },
      async (trx) => {
        await setPassword(trx, user.id, passwordHash)
        await endSessionsOf(trx, user.id)
      },
    )
    res.redirect(303, '/admin/anvandare')
  })

  const unitForm = z.object({
    administrationId: z.coerce.number().int().catch(0),
    name: requiredText('Ange enhetens namn, till exempel HR-avdelningen.', 200),
  })

  async function renderUnits(res: Response, locals: object, status = 200) {
    const [administrations, units] = await Promise.all([
      db.selectFrom('administration').select(['id', 'name']).orderBy('name').execute(),
      db
        .selectFrom('owner_unit')
        .innerJoin('administration', 'administration.id', 'owner_unit.administration_id')
        .select(['owner_unit.id', 'owner_unit.name', 'administration.name as administrationName'])
        .orderBy('administration.name')
        .orderBy('owner_unit.name')
        .execute(),
    ])
    res.status(status).render('admin/units', {
      title: 'Ansvariga enheter',
      administrations: administrations.map((a) => ({ value: a.id, label: a.name })),
      units,
      ...locals,
    })
  }

  router.get('/admin/enheter', async (_req, res) => {
    await renderUnits(res, formState({}))
  })

  router.post('/admin/enheter', async (req, res) => {
    const parsed = await validateForm(unitForm, req.body, async (v): Promise<FieldErrors> => {
      const administration = await db
        .selectFrom('administration')
        .select('id')
        .where('id', '=', v.administrationId)
        .executeTakeFirst()
      if (!administration) return { administrationId: 'Välj en förvaltning i listan.' }
      const taken = await db
        .selectFrom('owner_unit')
        .select('id')
        .where('administration_id', '=', v.administrationId)
        .where('name', '=', v.name)
        .executeTakeFirst()
      return taken ? { name: 'Förvaltningen har redan en enhet med det namnet.' } : {}
    })
    if (!parsed.ok) return renderUnits(res, formState(req.body, parsed.errors), 400)
    await auditedTransaction(db, actorOf(res, clock), 'create', { entity: 'owner_unit', planId: null }, (trx) =>
      insertOwnerUnit(trx, parsed.value.administrationId, parsed.value.name),
    )
    res.redirect(303, '/admin/enheter')
  })

  return router
}
