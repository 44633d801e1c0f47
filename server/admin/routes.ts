import { type Response, Router } from 'express'
import { z } from 'zod'
import type { Db } from '../../db/connection.js'
import type { Services } from '../app.js'
import { actorOf, audited, auditedTransaction } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { passwordProblem } from '../auth/password-rules.js'
import { hashPassword } from '../auth/passwords.js'
import { authorize, can } from '../auth/permissions.js'
import {
  endSessionsOf,
  findUser,
  findUserByEmail,
  insertUser,
  listUsers,
  setDisabled,
  setPassword,
} from '../auth/repository.js'
import { viewerOf } from '../auth/session.js'
import { linksOf, unlinkIdentity } from '../auth/sso/repository.js'
import { NotFoundError } from '../errors.js'
import { checkbox, type FieldErrors, formState, newPassword, parseForm, requiredText } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { listCommitteesWithAdministration, listOwnerUnits } from '../organisation/repository.js'
import { swedishOrder } from '../vocabulary.js'
import { organisationRoutes } from './organisation-routes.js'
import { grantRoles, otherActiveAdmins, rolesOf, setRoles } from './repository.js'

// Checkboxes arrive as one value or several; none at all is no field.
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])
const ids = z.preprocess(
  asList,
  z
    .array(
      z
        .string()
        .regex(/^\d{1,10}$/, 'Välj i listan.')
        .transform(Number),
    )
    .transform((list) => [...new Set(list)]),
)

const roleForm = z.object({ admin: checkbox, coordinatorOf: ids, secretaryOf: ids, readerOf: ids, units: ids })
const userForm = roleForm.extend({
  name: requiredText('Ange namnet.', 200),
  email: requiredText('Ange e-postadressen.', 254).pipe(
    z.email('Ange en giltig e-postadress, till exempel anna@malmo.se.'),
  ),
  password: newPassword,
})
type RoleForm = z.output<typeof roleForm>

/** A failed form's checked boxes as lists, so the page shows them checked again. */
const checked = (body: Record<string, unknown>) => ({
  coordinatorOf: asList(body.coordinatorOf),
  secretaryOf: asList(body.secretaryOf),
  readerOf: asList(body.readerOf),
  units: asList(body.units),
})

/** The administrator's pages: accounts and their roles, and the organisation (organisation-routes.ts). */
export function adminRoutes(services: Services): Router {
  const { db, clock } = services
  const router = Router()
  router.use('/admin', (_req, res, next) => {
    authorize(can.manageUsers(viewerOf(res)))
    next()
  })

  /** The municipalities, committees and units a role can be given for, in Swedish order. */
  async function roleOptions() {
    const [municipalities, committees, units] = await Promise.all([
      db.selectFrom('municipality').select(['id', 'name']).execute(),
      listCommitteesWithAdministration(db),
      listOwnerUnits(db),
    ])
    return {
      municipalities: municipalities
        .sort((a, b) => swedishOrder.compare(a.name, b.name))
        .map((m) => ({ value: m.id, label: m.name })),
      committees: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      units: units.map((u) => ({ value: u.id, label: `${u.name} (${u.administrationName})` })),
    }
  }

  /** Every municipality, committee and unit chosen must exist. */
  async function unknownChoices(trx: Db, v: RoleForm): Promise<FieldErrors> {
    // The chosen ids are distinct, so all exist when as many rows are found.
    const known = async (table: 'municipality' | 'committee' | 'owner_unit', chosen: number[]) =>
      chosen.length === 0 ||
      (await trx.selectFrom(table).select('id').where('id', 'in', chosen).execute()).length === chosen.length
    const errors: FieldErrors = {}
    if (!(await known('municipality', v.coordinatorOf))) errors.coordinatorOf = 'Välj kommuner i listan.'
    if (!(await known('committee', v.secretaryOf))) errors.secretaryOf = 'Välj nämnder i listan.'
    if (!(await known('committee', v.readerOf))) errors.readerOf = 'Välj nämnder i listan.'
    if (!(await known('owner_unit', v.units))) errors.units = 'Välj enheter i listan.'
    return errors
  }

  /**
   * Checks a form against the database and, when it passes, writes, in one transaction: a post sent at the same
   * moment (a double click, a second tab) cannot slip in between and meet the database's constraints instead.
   */
  function checkedWrite(check: (trx: Db) => Promise<FieldErrors>, write: (trx: Db) => Promise<unknown>) {
    return db.transaction().execute(async (trx) => {
      const errors = await check(trx)
      if (Object.keys(errors).length === 0) await write(trx)
      return errors
    })
  }

  async function renderNew(res: Response, locals: object, status = 200) {
    res.status(status).render('admin/new-user', {
      title: 'Ny användare',
      breadcrumbs: [{ href: '/admin/anvandare', text: 'Användare' }],
      ...(await roleOptions()),
      ...locals,
    })
  }

  async function loadUser(id: unknown) {
    const user = await findUser(db, idFrom(id, 'Användaren'))
    if (!user) throw new NotFoundError('Användaren')
    return user
  }

  router.get('/admin/anvandare', async (_req, res) => {
    const users = (await listUsers(db)).sort((a, b) => swedishOrder.compare(a.name, b.name))
    res.render('admin/users', { title: 'Användare', users })
  })

  router.get('/admin/anvandare/ny', async (_req, res) => {
    await renderNew(res, formState({}))
  })

  router.post('/admin/anvandare/ny', async (req, res) => {
    const parsed = parseForm(userForm, req.body)
    // Judged even when other fields are wrong, so that one post shows every message.
    const field = (name: string) => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '')
    const problem = passwordProblem(field('password'), field('email'))
    const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors), ...(problem ? { password: problem } : {}) }
    if (parsed.ok && !problem) Object.assign(errors, await createUser(actorOf(res, clock), parsed.value))
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return renderNew(res, formState({ ...req.body, ...checked(req.body), password: '' }, errors), 400)
    }
    setNotice(res, `${parsed.value.name} är tillagd som användare.`)
    res.redirect(303, '/admin/anvandare')
  })

  async function createUser(actor: Actor, v: z.output<typeof userForm>): Promise<FieldErrors> {
    // Hashed before the transaction, which would hold up every other query while scrypt works.
    const passwordHash = await hashPassword(v.password)
    return checkedWrite(
      async (trx) => ({
        ...(await unknownChoices(trx, v)),
        ...((await findUserByEmail(trx, v.email))
          ? { email: 'Det finns redan en användare med den e-postadressen.' }
          : {}),
      }),
      (trx) =>
        audited(trx, actor, 'create', { entity: 'app_user', planId: null }, async () => {
          const id = await insertUser(trx, {
            email: v.email,
            name: v.name,
            passwordHash,
            isAdmin: v.admin,
            createdAt: actor.at,
          })
          await grantRoles(trx, id, v)
          return id
        }),
    )
  }

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
    setNotice(res, `${user.name} ${req.body?.disable === '1' ? 'är spärrad' : 'kan logga in igen'}.`)
    res.redirect(303, '/admin/anvandare')
  })

  const providerName = (provider: string) =>
    provider === 'oidc' ? (services.config.oidc?.name ?? 'OpenID Connect') : 'organisationens SAML-inloggning'

  async function renderRoles(res: Response, user: { id: number; name: string }, locals: object, status = 200) {
    const links = await linksOf(db, user.id)
    res.status(status).render('admin/roles', {
      title: `Roller för ${user.name}`,
      breadcrumbs: [{ href: '/admin/anvandare', text: 'Användare' }],
      user,
      links: links.map((l) => ({ ...l, providerName: providerName(l.provider) })),
      ...(await roleOptions()),
      ...locals,
    })
  }

  router.get('/admin/anvandare/:userId/roller', async (req, res) => {
    const user = await loadUser(req.params.userId)
    const roles = await rolesOf(db, user.id)
    await renderRoles(res, user, formState({ ...roles, admin: roles.admin ? 'on' : '' }))
  })

  router.post('/admin/anvandare/:userId/roller', async (req, res) => {
    const user = await loadUser(req.params.userId)
    const parsed = parseForm(roleForm, req.body)
    const errors = !parsed.ok
      ? parsed.errors
      : await checkedWrite(
          async (trx) => ({
            ...(await unknownChoices(trx, parsed.value)),
            // Checked with the write, so that two administrators cannot each take away the other's role.
            ...(!parsed.value.admin &&
            (await rolesOf(trx, user.id)).admin &&
            (await otherActiveAdmins(trx, user.id)) === 0
              ? { admin: `${user.name} är den enda aktiva administratören. Ge någon annan rollen först.` }
              : {}),
          }),
          (trx) =>
            audited(trx, actorOf(res, clock), 'update', { entity: 'app_user', id: user.id, planId: null }, () =>
              setRoles(trx, user.id, parsed.value),
            ),
        )
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return renderRoles(res, user, formState({ ...req.body, ...checked(req.body) }, errors), 400)
    }
    setNotice(res, `Rollerna för ${user.name} är sparade.`)
    // An administrator who gave up the role has no user list to come back to.
    res.redirect(303, user.id === viewerOf(res).id && !parsed.value.admin ? '/' : '/admin/anvandare')
  })

  // Lets the next sign-in through the provider find the account by e-mail again, or a new account be made: what an
  // administrator does when the person's identity at the provider has changed, or the account was linked wrongly.
  router.post('/admin/anvandare/:userId/koppling/ta-bort', async (req, res) => {
    const user = await loadUser(req.params.userId)
    const provider = req.body?.provider
    // A post that names no provider (a form of before, or made by hand) changes nothing, and says so.
    if (provider !== 'oidc' && provider !== 'saml') {
      setNotice(res, `Ingen koppling togs bort: det framgick inte vilken av kopplingarna som menades.`)
      return res.redirect(303, `/admin/anvandare/${user.id}/roller`)
    }
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'app_user', id: user.id, planId: null },
      (trx) => unlinkIdentity(trx, user.id, provider),
    )
    setNotice(
      res,
      `${user.name} är inte längre kopplad till ${providerName(provider)}. Vid nästa inloggning där kopplas kontot ` +
        'på nytt genom e-postadressen, om organisationens inloggning intygar den.',
    )
    res.redirect(303, `/admin/anvandare/${user.id}/roller`)
  })

  router.get('/admin/anvandare/:userId/losenord', async (req, res) => {
    const user = await loadUser(req.params.userId)
    res.render('admin/reset-password', { title: `Nytt lösenord för ${user.name}`, user, ...formState({}) })
  })

  router.post('/admin/anvandare/:userId/losenord', async (req, res) => {
    const user = await loadUser(req.params.userId)
    const parsed = parseForm(z.object({ password: newPassword }), req.body)
    const problem = parsed.ok ? passwordProblem(parsed.value.password, user.email) : undefined
    if (!parsed.ok || problem) {
      return res.status(400).render('admin/reset-password', {
        title: `Nytt lösenord för ${user.name}`,
        user,
        ...formState({}, parsed.ok ? { password: problem as string } : parsed.errors),
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
    setNotice(res, `${user.name} har fått ett nytt lösenord.`)
    res.redirect(303, '/admin/anvandare')
  })

  router.use(organisationRoutes(services))
  return router
}
