// The reminder mails' words, in plain text and HTML. They name titles, dates and links only: a measure's texts
// (what is to be done, what has been done) may be confidential and mail leaves the municipality's systems.

/** What a reminder is about: the kinds of `reminder.kind`. */
export type ReminderKind =
  | 'measure_before'
  | 'measure_overdue'
  | 'run_before'
  | 'run_overdue'
  | 'inspection_deadline'
  | 'overdue_list_new'
  | 'overdue_list_week'

/** One thing a reminder names: a measure, a control's occasion or an inspection. */
export interface ReminderItem {
  title: string
  /** The due date, planned date or report deadline (YYYY-MM-DD). */
  date: string
  /** Where to act, below the public URL. */
  path: string
  /** The owner unit, when it has one. */
  unit?: string
  /** A control's occasion number. */
  occasion?: number
}

/** `reminder.about` as JSON: what the mail names, fixed when the reminder is written. */
export interface ReminderAbout {
  committee: string
  items: ReminderItem[]
  /** An inspection's authority as a sentence names it ("Skolinspektionen"). */
  authority?: string
  /** A list of newly overdue measures: the day of the pass before it; null at the first pass. */
  since?: string | null
}

export interface MailReminder {
  kind: ReminderKind
  about: ReminderAbout
}

export interface ComposedMail {
  subject: string
  text: string
  html: string
}

export const preferencesPath = '/konto/paminnelser'

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] as string)
}

// A subject is one header line: a committee named with a line break must not start another header.
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()

interface Wording {
  /** What the reminder says, without the committee: a digest's section heading. */
  headline: string
  /** The immediate mail's subject, without the committee. */
  subject: string
  lead: string
  dateLabel: string
  linkLabel: string
  /** Why the person gets it even without reminders chosen. */
  note?: string
}

function wordingOf({ kind, about }: MailReminder): Wording {
  const first = about.items[0]
  const date = first?.date ?? ''
  const count = about.items.length
  switch (kind) {
    case 'measure_before':
      return {
        headline: `Åtgärd ska vara klar ${date}`,
        subject: `Påminnelse: Åtgärd ska vara klar ${date}`,
        lead: `Åtgärden ska vara klar ${date}. Uppdatera gärna dess status och vad som har gjorts.`,
        dateLabel: 'Klar senast',
        linkLabel: 'Uppdatera åtgärden',
      }
    case 'measure_overdue':
      return {
        headline: `Försenad åtgärd, skulle vara klar ${date}`,
        subject: `Försenad åtgärd: skulle vara klar ${date}`,
        lead: `Åtgärden skulle vara klar ${date} men är inte markerad som genomförd. Uppdatera dess status och vad som har gjorts.`,
        dateLabel: 'Klar senast',
        linkLabel: 'Uppdatera åtgärden',
      }
    case 'run_before':
      return {
        headline: `Kontroll ska göras senast ${date}`,
        subject: `Påminnelse: Kontroll ska göras senast ${date}`,
        lead: `Kontrolltillfället är planerat till ${date}. Rapportera resultatet när kontrollen är gjord.`,
        dateLabel: 'Planerat',
        linkLabel: 'Rapportera kontrollen',
      }
    case 'run_overdue':
      return {
        headline: `Försenad kontroll, planerad ${date}`,
        subject: `Försenad kontroll: planerad ${date}`,
        lead: `Kontrolltillfället var planerat till ${date} men är inte rapporterat.`,
        dateLabel: 'Planerat',
        linkLabel: 'Rapportera kontrollen',
      }
    case 'inspection_deadline': {
      const authority = about.authority ?? 'myndigheten'
      return {
        headline: `Redovisning till ${authority} senast ${date}`,
        subject: `Redovisning till ${authority} senast ${date}`,
        lead: `Nämndens redovisning till ${authority} ska vara inskickad senast ${date}.`,
        dateLabel: 'Redovisas senast',
        linkLabel: 'Öppna granskningen',
      }
    }
    case 'overdue_list_new':
      return {
        headline: `Nya försenade åtgärder (${count})`,
        subject: `Nya försenade åtgärder (${count})`,
        lead: about.since
          ? `De här åtgärderna har passerat sitt slutdatum sedan förra påminnelsen (${about.since}) utan att vara genomförda:`
          : 'De här åtgärderna har passerat sitt slutdatum utan att vara genomförda:',
        dateLabel: 'Klar senast',
        linkLabel: 'Öppna åtgärden',
        note: 'Listan över försenade åtgärder skickas till nämndens eller bolagets sekreterare oavsett val av påminnelser.',
      }
    case 'overdue_list_week':
      return {
        headline: `Försenade åtgärder (${count})`,
        subject: `Försenade åtgärder (${count})`,
        lead: 'De här åtgärderna har passerat sitt slutdatum och är fortfarande inte genomförda:',
        dateLabel: 'Klar senast',
        linkLabel: 'Öppna åtgärden',
        note: 'Listan över försenade åtgärder skickas till nämndens eller bolagets sekreterare oavsett val av påminnelser.',
      }
  }
}

const titleOf = (item: ReminderItem) => (item.occasion ? `${item.title}, tillfälle ${item.occasion}` : item.title)

function itemText(item: ReminderItem, wording: Wording, publicUrl: string): string {
  const unit = item.unit ? ` (${item.unit})` : ''
  return [
    `* ${titleOf(item)}${unit}`,
    `  ${wording.dateLabel}: ${item.date}`,
    `  ${wording.linkLabel}: ${publicUrl}${item.path}`,
  ].join('\n')
}

function itemHtml(item: ReminderItem, wording: Wording, publicUrl: string): string {
  const unit = item.unit ? ` (${escapeHtml(item.unit)})` : ''
  const href = escapeHtml(`${publicUrl}${item.path}`)
  return (
    `<li><a href="${href}">${escapeHtml(titleOf(item))}</a>${unit}<br>` +
    `${escapeHtml(wording.dateLabel)}: ${escapeHtml(item.date)}</li>`
  )
}

function sectionText(reminder: MailReminder, wording: Wording, publicUrl: string): string {
  const items = reminder.about.items.map((item) => itemText(item, wording, publicUrl))
  return [wording.lead, '', ...items, ...(wording.note ? ['', wording.note] : [])].join('\n')
}

function sectionHtml(reminder: MailReminder, wording: Wording, publicUrl: string): string {
  const items = reminder.about.items.map((item) => itemHtml(item, wording, publicUrl)).join('')
  const note = wording.note ? `<p>${escapeHtml(wording.note)}</p>` : ''
  return `<p>${escapeHtml(wording.lead)}</p><ul>${items}</ul>${note}`
}

function footerText(publicUrl: string): string {
  return `Påminnelsen kommer från Internkontroll. Välj hur och när du får påminnelser: ${publicUrl}${preferencesPath}`
}

function footerHtml(publicUrl: string): string {
  const href = escapeHtml(`${publicUrl}${preferencesPath}`)
  return (
    '<p style="color:#555">Påminnelsen kommer från Internkontroll. ' +
    `<a href="${href}">Välj hur och när du får påminnelser</a>.</p>`
  )
}

function page(title: string, body: string): string {
  return (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title></head><body>${body}</body></html>`
  )
}

/** An immediate reminder's subject: what is due and when, and the committee. */
function subjectOf(reminder: MailReminder, wording = wordingOf(reminder)): string {
  return oneLine(`${wording.subject} – ${reminder.about.committee}`)
}

/** One reminder as a mail of its own. */
export function composeReminderMail(
  reminder: MailReminder,
  recipient: { name: string },
  publicUrl: string,
): ComposedMail {
  const wording = wordingOf(reminder)
  const subject = subjectOf(reminder, wording)
  const greeting = `Hej ${recipient.name}!`
  const text = [
    greeting,
    '',
    `${reminder.about.committee}:`,
    sectionText(reminder, wording, publicUrl),
    '',
    footerText(publicUrl),
    '',
  ].join('\n')
  const html = page(
    subject,
    `<p>${escapeHtml(greeting)}</p><h1 style="font-size:1.2em">${escapeHtml(reminder.about.committee)}</h1>` +
      `${sectionHtml(reminder, wording, publicUrl)}${footerHtml(publicUrl)}`,
  )
  return { subject, text, html }
}

/**
 * Several reminders in one mail, a daily or weekly digest, in the order given. The subject names the committee
 * when they all concern one; a digest of one reminder has that reminder's subject, which names its deadline.
 */
export function composeDigestMail(
  reminders: readonly MailReminder[],
  recipient: { name: string },
  day: string,
  publicUrl: string,
): ComposedMail {
  const committees = [...new Set(reminders.map((r) => r.about.committee))]
  const about = committees.length === 1 ? (committees[0] as string) : 'Internkontroll'
  const only = reminders.length === 1 ? reminders[0] : undefined
  const subject = only ? subjectOf(only) : oneLine(`Sammanfattning av påminnelser ${day} – ${about}`)
  const greeting = `Hej ${recipient.name}!`
  const intro = reminders.length === 1 ? 'Här är din påminnelse:' : `Här är dina ${reminders.length} påminnelser:`
  const sections = reminders.map((reminder) => {
    const wording = wordingOf(reminder)
    return { heading: oneLine(`${wording.headline} – ${reminder.about.committee}`), reminder, wording }
  })
  const text = [
    greeting,
    '',
    intro,
    ...sections.flatMap(({ heading, reminder, wording }) => [
      '',
      heading,
      '-'.repeat(heading.length),
      sectionText(reminder, wording, publicUrl),
    ]),
    '',
    footerText(publicUrl),
    '',
  ].join('\n')
  const html = page(
    subject,
    `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(intro)}</p>` +
      sections
        .map(
          ({ heading, reminder, wording }) =>
            `<h2 style="font-size:1.1em">${escapeHtml(heading)}</h2>${sectionHtml(reminder, wording, publicUrl)}`,
        )
        .join('') +
      footerHtml(publicUrl),
  )
  return { subject, text, html }
}
