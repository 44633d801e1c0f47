import { type Response, Router } from 'express'
import { z } from 'zod'
import type { MailState, ReminderPreference } from '../../db/schema.js'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { formState, oneOf, parseForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { localPath } from '../return-path.js'
import { labelOf, mailStates, reminderPreferences } from '../vocabulary.js'
import { preferencesPath } from './mail-text.js'
import {
  committeeNames,
  countMailsByState,
  findMail,
  listMails,
  reminderPreferenceOf,
  setReminderPreference,
} from './pages-repository.js'
import { retryMail } from './send.js'

/** "HR-avdelningen, Ekonomiavdelningen och Utbildningsområden". */
const names = new Intl.ListFormat('sv-SE', { type: 'conjunction' })

const mailsHref = '/admin/e-post'
const mailsPerPage = 50

const preferenceForm = z.object({
  preference: oneOf(reminderPreferences, 'Välj hur du vill få påminnelser.'),
})

/** What each choice means, beside its label. */
const meanings: Record<ReminderPreference, string> = {
  immediate: 'ett e-postmeddelande för varje påminnelse, samma morgon som den blir aktuell.',
  daily: 'dagens påminnelser samlade i ett meddelande på morgonen.',
  weekly: 'veckans påminnelser samlade i ett meddelande på måndagsmorgonen.',
  none: 'inga meddelanden. Dina åtgärder och kontroller syns som vanligt på startsidan.',
}

/** A mail the sender gave up on, or may have sent before it stopped: only an administrator sends it again. */
const retryable = (state: MailState) => state === 'failed' || state === 'uncertain'

/**
 * The relay's host and port as the page names it: SMTP_URL may carry a user name and password, which no page shows.
 */
function relayHost(smtpUrl: string): string {
  try {
    return new URL(smtpUrl).host || 'den angivna servern'
  } catch {
    return 'den angivna servern'
  }
}

/** A person's choice of reminders by e-mail, and the administrator's view of the mails. */
export function reminderRoutes({ db, config, clock }: Services): Router {
  const router = Router()
  const hour = `kl. ${String(config.reminderHour).padStart(2, '0')}.00`

  async function renderPreferences(res: Response, locals: object, status = 200) {
    const viewer = viewerOf(res)
    res.status(status).render('reminders/preferences', {
      title: 'Påminnelser per e-post',
      email: viewer.email,
      hour,
      mailOff: config.smtpUrl === undefined,
      units: names.format(viewer.unitNames),
      secretaryOf: names.format(await committeeNames(db, [...viewer.secretaryOf])),
      committees: viewer.secretaryOf.size > 1 ? 'nämndernas' : 'nämndens',
      options: reminderPreferences.map((p) => ({ value: p.code, label: p.label })),
      meanings: reminderPreferences.map((p) => ({ label: p.label, meaning: meanings[p.code] })),
      ...locals,
    })
  }

  router.get(preferencesPath, async (_req, res) => {
    await renderPreferences(res, formState({ preference: await reminderPreferenceOf(db, viewerOf(res).id) }))
  })

  router.post(preferencesPath, async (req, res) => {
    const viewer = viewerOf(res)
    const parsed = parseForm(preferenceForm, req.body)
    if (!parsed.ok) return renderPreferences(res, formState({}, parsed.errors), 400)
    const { preference } = parsed.value
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'app_user', id: viewer.id, planId: null },
      (trx) => setReminderPreference(trx, viewer.id, preference),
    )
    setNotice(res, `Ditt val är sparat: ${labelOf(reminderPreferences, preference).toLowerCase()}.`)
    res.redirect(303, preferencesPath)
  })

  router.get(mailsHref, async (req, res) => {
    authorize(can.manageUsers(viewerOf(res)))
    const state = mailStates.find((s) => s.code === req.query.status)?.code
    const counts = await countMailsByState(db)
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0)
    const shown = state === undefined ? total : (counts.get(state) ?? 0)
    const pages = Math.max(1, Math.ceil(shown / mailsPerPage))
    // A page past the end (the list shrank, an edited address) shows the last one rather than nothing.
    const asked = /^\d{1,6}$/.test(String(req.query.sida)) ? Number(req.query.sida) : 1
    const page = Math.min(Math.max(asked, 1), pages)
    const href = (p: number) => {
      const query = new URLSearchParams({ ...(state ? { status: state } : {}), ...(p > 1 ? { sida: String(p) } : {}) })
      return query.size > 0 ? `${mailsHref}?${query}` : mailsHref
    }
    const mails = await listMails(db, { state, limit: mailsPerPage, offset: (page - 1) * mailsPerPage })
    res.render('reminders/mails', {
      title: 'E-post',
      relay: config.smtpUrl === undefined ? undefined : relayHost(config.smtpUrl),
      mailFrom: config.mailFrom,
      publicUrl: config.publicUrl,
      hour,
      total,
      filter: state === undefined ? undefined : labelOf(mailStates, state),
      states: [
        { label: 'Alla', count: total, href: mailsHref, current: state === undefined },
        ...mailStates.map((s) => ({
          label: s.label,
          count: counts.get(s.code) ?? 0,
          href: `${mailsHref}?status=${s.code}`,
          current: s.code === state,
        })),
      ],
      mails: mails.map((m) => ({
        ...m,
        stateLabel: labelOf(mailStates, m.state),
        // A queued mail that has been tried waits for its next attempt; a sent one's old error is history.
        retryAt: m.state === 'queued' && m.attempts > 0 ? m.nextAttemptAt : undefined,
        answer: m.state === 'sent' ? '' : m.lastError,
        retryable: retryable(m.state),
      })),
      pagination:
        pages > 1
          ? {
              page,
              pages,
              previous: page > 1 ? href(page - 1) : undefined,
              next: page < pages ? href(page + 1) : undefined,
            }
          : undefined,
      back: href(page),
    })
  })

  router.post(`${mailsHref}/:mailId/forsok-igen`, async (req, res) => {
    const viewer = viewerOf(res)
    authorize(can.manageUsers(viewer))
    const mail = await findMail(db, idFrom(req.params.mailId, 'Meddelandet'))
    if (!mail) throw new NotFoundError('Meddelandet')
    const back = localPath(req.body?.tillbaka, mailsHref)
    // retryMail changes only a failed or uncertain mail: after a second click, or another administrator first, it is
    // on its way already and is not queued twice.
    if (await retryMail(db, mail.id, actorOf(res, clock), clock())) {
      setNotice(res, `Meddelandet till ${mail.toAddress} ligger i kön igen.`)
    } else {
      const state = labelOf(mailStates, (await findMail(db, mail.id))?.state ?? mail.state)
      setNotice(res, `Meddelandet till ${mail.toAddress} läggs inte i kön igen: dess status är nu ”${state}”.`)
    }
    res.redirect(303, back)
  })

  return router
}
