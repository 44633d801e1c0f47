import { type Request, type Response, Router } from 'express'
import { z } from 'zod'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { csrfCookie } from '../csrf.js'
import { formState, newPassword, parseForm, requiredText, text } from '../forms.js'
import { setNotice } from '../notice.js'
import { localPath } from '../return-path.js'
import { passwordProblem } from './password-rules.js'
import { decoyHash, hashPassword, verifyPassword } from './passwords.js'
import {
  clearLoginFailures,
  countLoginFailures,
  createSession,
  deleteSession,
  endSessionsOf,
  findUserByEmail,
  recordLoginFailure,
  setPassword,
} from './repository.js'
import { requireViewer, sessionCookie, setSessionCookie, viewerOf } from './session.js'

const loginForm = z.object({
  email: requiredText('Ange din e-postadress.', 254),
  password: text.pipe(z.string().min(1, 'Ange ditt lösenord.')),
  till: text,
})

const passwordForm = z
  .object({
    current: text.pipe(z.string().min(1, 'Ange ditt nuvarande lösenord.')),
    password: newPassword,
    repeat: newPassword,
  })
  .refine((v) => v.password === v.repeat, {
    path: ['repeat'],
    message: 'Lösenorden är inte lika. Skriv samma lösenord två gånger.',
  })

// Limits on failed logins within the window: per account, and per address (one machine trying many accounts).
const window = 15 * 60_000
const limits = { email: 5, address: 20 }
const wrongCredentials = 'Fel e-postadress eller lösenord.'

export function authRoutes({ db, config, clock }: Services): Router {
  const router = Router()

  // The next page gets a fresh CSRF value (server/csrf.ts), so no token of before is of use after.
  const renewCsrf = (res: Response) => res.clearCookie(csrfCookie(config), { path: '/' })

  const renderLogin = (res: Response, locals: object, status = 200) =>
    res.status(status).render('auth/login', { title: 'Logga in', operator: config.operator, ...locals })

  router.get('/logga-in', (req, res) => {
    if (res.locals.viewer) return res.redirect(303, '/')
    renderLogin(res, formState({ till: typeof req.query.till === 'string' ? req.query.till : '' }))
  })

  router.post('/logga-in', async (req: Request, res: Response) => {
    const parsed = parseForm(loginForm, req.body)
    const kept = { email: req.body?.email, till: req.body?.till }
    if (!parsed.ok) return renderLogin(res, formState(kept, parsed.errors), 400)
    const now = clock()
    const subjects = [`email:${parsed.value.email.toLowerCase()}`, `address:${req.ip}`]
    const since = new Date(now.getTime() - window)
    // Every attempt counts as a failure until it succeeds, and is counted before the slow password check,
    // so guesses sent in parallel cannot all slip in under the limit.
    const attempt = await recordLoginFailure(db, subjects, now)
    const [byEmail, byAddress] = await Promise.all(subjects.map((s) => countLoginFailures(db, s, since)))
    if ((byEmail ?? 0) > limits.email || (byAddress ?? 0) > limits.address) {
      return renderLogin(
        res,
        formState(kept, { email: 'För många misslyckade inloggningar. Vänta 15 minuter och försök igen.' }),
        429,
      )
    }
    const user = await findUserByEmail(db, parsed.value.email)
    // The same work and the same answer whether the e-mail is unknown, the account disabled or the password wrong.
    const valid = await verifyPassword(parsed.value.password, user?.password_hash ?? (await decoyHash))
    if (!user || !valid || user.disabled) return renderLogin(res, formState(kept, { email: wrongCredentials }), 401)
    await clearLoginFailures(db, subjects[0] as string, attempt)
    // A new token at every login, so a session id planted before login is worth nothing.
    const old: unknown = req.cookies?.[sessionCookie(config)]
    if (typeof old === 'string') await deleteSession(db, old)
    setSessionCookie(res, config, await createSession(db, user.id, now))
    renewCsrf(res)
    // Without a page to go back to, each person lands on their own start page.
    res.redirect(303, localPath(parsed.value.till, '/'))
  })

  router.post('/logga-ut', async (req, res) => {
    const token: unknown = req.cookies?.[sessionCookie(config)]
    if (typeof token === 'string') await deleteSession(db, token)
    res.clearCookie(sessionCookie(config), { path: '/' })
    renewCsrf(res)
    res.redirect(303, '/logga-in')
  })

  router.get('/konto/losenord', requireViewer, (_req, res) => {
    res.render('auth/password', { title: 'Byt lösenord', ...formState({}) })
  })

  router.post('/konto/losenord', requireViewer, async (req, res) => {
    const viewer = viewerOf(res)
    const parsed = parseForm(passwordForm, req.body)
    const user = await findUserByEmail(db, viewer.email)
    const problem = parsed.ok ? passwordProblem(parsed.value.password, viewer.email) : undefined
    const errors = !parsed.ok
      ? parsed.errors
      : problem
        ? { password: problem }
        : !user || !(await verifyPassword(parsed.value.current, user.password_hash))
          ? { current: 'Det nuvarande lösenordet stämmer inte.' }
          : undefined
    if (errors || !parsed.ok) {
      return res.status(400).render('auth/password', { title: 'Byt lösenord', ...formState({}, errors) })
    }
    const passwordHash = await hashPassword(parsed.value.password)
    const token = String(req.cookies?.[sessionCookie(config)])
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'app_user', id: viewer.id, planId: null },
      async (trx) => {
        await setPassword(trx, viewer.id, passwordHash)
        // Sessions elsewhere, perhaps someone else's, end with the old password; this one goes on.
        await endSessionsOf(trx, viewer.id, token)
      },
    )
    setNotice(res, 'Lösenordet är bytt.')
    res.redirect(303, '/konto/losenord')
  })

  return router
}
