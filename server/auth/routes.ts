import { type Request, type Response, Router } from 'express'
import { z } from 'zod'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { recordEvent } from '../audit/repository.js'
import { formState, newPassword, parseForm, requiredText, text } from '../forms.js'
import { setNotice } from '../notice.js'
import { passwordProblem } from './password-rules.js'
import { decoyHash, hashPassword, verifyPassword } from './passwords.js'
import { endSessionsOf, findUserByEmail, recordLoginFailure, setPassword } from './repository.js'
import { requireViewer, sessionCookie, viewerOf } from './session.js'
import { endSession, loginEvent, startSession } from './start-session.js'
import {
  failureMemoryMs,
  failureSubjects,
  knownDevice,
  rememberDevice,
  secondsToWait,
  takingTurns,
  throttledBy,
} from './throttle.js'

const loginForm = z.object({
  email: requiredText('Ange din e-postadress.', 254),
  // Passwords set before the rules were trimmed, and no new one may begin or end with a space
  // (password-rules.ts), so trimming here never changes which password is meant.
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

const wrongCredentials = 'Fel e-postadress eller lösenord.'
const seconds = (n: number) => `${n} ${n === 1 ? 'sekund' : 'sekunder'}`

/**
 * Password login and logout, and *Byt lösenord*. `providerLogout` turns what a session kept for single logout into
 * the address at the identity provider that ends its session there, or undefined when it has none.
 */
export function authRoutes(
  services: Services,
  providerLogout: (singleLogout: string) => Promise<string | undefined> = async () => undefined,
): Router {
  const { db, config, clock } = services
  const router = Router()

  const mayUsePassword = (email: string) => config.localLogin || config.breakGlassEmails.includes(email)

  const renderLogin = (res: Response, locals: { values: Record<string, unknown>; intro?: string }, status = 200) => {
    const till = encodeURIComponent(String(locals.values.till ?? ''))
    res.status(status).render('auth/login', {
      title: 'Logga in',
      operator: config.operator,
      oidc: config.oidc && { name: config.oidc.name, href: `/logga-in/oidc?till=${till}` },
      saml: config.saml && { name: config.saml.name, href: `/logga-in/saml?till=${till}` },
      identityProvider: Boolean(config.oidc || config.saml),
      // Without local login for everyone, the form is the break-glass administrators' and shown on their asking.
      passwordForm: config.localLogin || locals.values.breakGlass === '1',
      breakGlassHref: `/logga-in?nodinloggning=1&till=${till}`,
      ...locals,
    })
  }

  router.get('/logga-in', (req, res) => {
    if (res.locals.viewer) return res.redirect(303, '/')
    const query = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : '')
    renderLogin(res, formState({ till: query('till'), breakGlass: query('nodinloggning') }))
  })

  const inTurn = takingTurns()

  /**
   * A password checked as a guess: throttled by account, address and browser, in turn, each failure counted and
   * logged. Login goes through it, and so does the current password of *Byt lösenord*, which someone holding a
   * session (an unlocked computer) could otherwise guess at full speed. `then` runs while the turn is still held.
   */
  async function checkGuess<T>(
    req: Request,
    email: string,
    password: string,
    then: (
      outcome: { wait: number } | { user: NonNullable<Awaited<ReturnType<typeof findUserByEmail>>> } | null,
    ) => Promise<T>,
  ): Promise<T> {
    const address = req.ip ?? 'okänd'
    const device = knownDevice(req, config, email)
    const throttles = throttledBy(email, address, device)
    // A waiting attempt is answered at once, password unchecked, and changes nothing: it neither lengthens the wait
    // nor fills the log, however many are sent.
    const wait = await secondsToWait(db, throttles, clock())
    if (wait > 0) return then({ wait })
    return inTurn(throttles, async () => {
      // Another attempt may have failed while this one waited its turn.
      const wait = await secondsToWait(db, throttles, clock())
      if (wait > 0) return then({ wait })
      const user = await findUserByEmail(db, email)
      // The same work and the same answer whether the e-mail is unknown, the account disabled or the password wrong.
      const valid = await verifyPassword(password, user?.password_hash ?? (await decoyHash))
      if (user && valid && !user.disabled) return then({ user })
      const now = clock()
      await db.transaction().execute(async (trx) => {
        await recordLoginFailure(
          trx,
          failureSubjects(email, address, device),
          now,
          new Date(now.getTime() - failureMemoryMs),
        )
        // Who tried is not known: the log names the e-mail tried, and the account it belongs to if any.
        await recordEvent(
          trx,
          { userId: null, userName: email, at: now.toISOString() },
          { ...loginEvent, entity: 'failed_login', entityId: user?.id ?? 0, after: { email, address } },
        )
      })
      return then(null)
    })
  }

  const tooSoon = (wait: number) =>
    `För många misslyckade inloggningar till det här kontot eller från den här adressen. Vänta ${seconds(wait)} ` +
    'och försök sedan igen. Från en webbläsare där du har loggat in förut behöver du inte vänta.'

  router.post('/logga-in', async (req: Request, res: Response) => {
    const parsed = parseForm(loginForm, req.body)
    const kept = { email: req.body?.email, till: req.body?.till, breakGlass: req.body?.breakGlass }
    if (!parsed.ok) return renderLogin(res, formState(kept, parsed.errors), 400)
    const email = parsed.value.email.toLowerCase()
    await checkGuess(req, email, parsed.value.password, async (outcome) => {
      if (outcome && 'wait' in outcome) {
        res.set('Retry-After', String(outcome.wait))
        return renderLogin(res, formState(kept, { email: tooSoon(outcome.wait) }), 429)
      }
      if (!outcome) return renderLogin(res, formState(kept, { email: wrongCredentials }), 401)
      const { user } = outcome
      // Beside an identity provider, password login may be the break-glass administrators' alone. Answered as a wrong
      // password, so that no one learns from it whether the password was right or who those administrators are; the
      // log tells the operator why.
      if (!mayUsePassword(email)) {
        await db.transaction().execute((trx) =>
          recordEvent(
            trx,
            { userId: null, userName: email, at: clock().toISOString() },
            {
              ...loginEvent,
              entity: 'failed_login',
              entityId: user.id,
              after: { email, address: req.ip ?? 'okänd', reason: 'local_login_off' },
            },
          ),
        )
        return renderLogin(res, formState(kept, { email: wrongCredentials }), 401)
      }
      rememberDevice(res, config, email)
      await startSession(services, req, res, user, { till: parsed.value.till })
    })
  })

  router.post('/logga-ut', async (req, res) => {
    const singleLogout = await endSession(services, req, res)
    // The local session has ended in any case; the provider's own, if any, ends there and sends the browser back.
    res.redirect(303, (singleLogout && (await providerLogout(singleLogout))) || '/logga-in')
  })

  router.get('/konto/losenord', requireViewer, (_req, res) => {
    res.render('auth/password', { title: 'Byt lösenord', ...formState({}) })
  })

  router.post('/konto/losenord', requireViewer, async (req, res) => {
    const viewer = viewerOf(res)
    const parsed = parseForm(passwordForm, req.body)
    // Said beside the new password whatever else is missing, so that one post shows every field to mend.
    const problem = passwordProblem(typeof req.body?.password === 'string' ? req.body.password : '', viewer.email)
    const refuse = (status: number, errors: Record<string, string>) =>
      res.status(status).render('auth/password', { title: 'Byt lösenord', ...formState({}, errors) })
    if (!parsed.ok || problem) {
      return refuse(400, { ...(problem ? { password: problem } : {}), ...(parsed.ok ? {} : parsed.errors) })
    }
    const current = await checkGuess(req, viewer.email, parsed.value.current, async (outcome) => outcome)
    if (current && 'wait' in current) {
      res.set('Retry-After', String(current.wait))
      return refuse(429, { current: tooSoon(current.wait) })
    }
    if (!current) return refuse(400, { current: 'Det nuvarande lösenordet stämmer inte.' })
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
