import { describe, expect, it } from 'vitest'
import { composeDigestMail, composeReminderMail, escapeHtml, type MailReminder } from './mail-text.js'

const publicUrl = 'https://ik.example.se'
const item = { title: 'Rutin <b>"ny"</b> & gammal', date: '2027-03-15', path: '/planer/1/atgarder/2/uppdatera' }

describe('reminder mails', () => {
  it('keeps the subject on one line and escapes every name in HTML', () => {
    const reminder: MailReminder = {
      kind: 'measure_before',
      about: { committee: 'Nämnd <i>\r\nBcc: x@example.se', items: [{ ...item, unit: 'HR & lön' }] },
    }
    const mail = composeReminderMail(reminder, { name: 'Anna <Admin>' }, publicUrl)
    expect(mail.subject).toBe('Påminnelse: Åtgärd ska vara klar 2027-03-15 – Nämnd <i> Bcc: x@example.se')
    expect(mail.text).toContain('* Rutin <b>"ny"</b> & gammal (HR & lön)')
    expect(mail.text).toContain(`Uppdatera åtgärden: ${publicUrl}/planer/1/atgarder/2/uppdatera`)
    expect(mail.html).toContain('Rutin &lt;b&gt;&quot;ny&quot;&lt;/b&gt; &amp; gammal</a> (HR &amp; lön)')
    expect(mail.html).toContain('Hej Anna &lt;Admin&gt;!')
    expect(mail.html).not.toMatch(/<(b|i|Admin)>/)
  })

  it('names the committee in a digest of one committee, else the app', () => {
    const of = (committee: string): MailReminder => ({ kind: 'measure_overdue', about: { committee, items: [item] } })
    const one = composeDigestMail(
      [of('Grundskolenämnden'), of('Grundskolenämnden')],
      { name: 'A' },
      '2027-03-22',
      publicUrl,
    )
    expect(one.subject).toBe('Sammanfattning av påminnelser 2027-03-22 – Grundskolenämnden')
    const both = composeDigestMail(
      [of('Grundskolenämnden'), of('Förskolenämnden')],
      { name: 'A' },
      '2027-03-22',
      publicUrl,
    )
    expect(both.subject).toBe('Sammanfattning av påminnelser 2027-03-22 – Internkontroll')
    expect(both.text).toContain('Försenad åtgärd, skulle vara klar 2027-03-15 – Förskolenämnden')
    expect(both.text).toContain(`${publicUrl}/konto/paminnelser`)
  })

  it('gives a digest of one reminder that reminder’s own subject, naming its deadline and committee', () => {
    const reminder: MailReminder = {
      kind: 'inspection_deadline',
      about: { committee: 'Grundskolenämnden', authority: 'Skolinspektionen', items: [item] },
    }
    const digest = composeDigestMail([reminder], { name: 'Sara' }, '2027-03-22', publicUrl)
    expect(digest.subject).toBe('Redovisning till Skolinspektionen senast 2027-03-15 – Grundskolenämnden')
    expect(digest.subject).toBe(composeReminderMail(reminder, { name: 'Sara' }, publicUrl).subject)
    expect(digest.text).toContain('Här är din påminnelse:')
  })

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
