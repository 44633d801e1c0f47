import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { insertOutboxMail } from './outbox.js'
import { automaticActor } from './send.js'

const now = new Date('2027-03-01T05:00:00.000Z')
const text = 'Hej Hanna!\n\nÅtgärden ska vara klar 2027-03-15.\n'
const html = '<p>Hej Hanna!</p><p>Åtgärden ska vara klar 2027-03-15.</p>'
const sha256 = (body: string) => createHash('sha256').update(body).digest('hex')

async function aMail() {
  const db = await openTestDatabase()
  await loadDemoDataIfEmpty(db, now, { currentYear: false })
  const hanna = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', 'hr@demo.internkontroll.se')
    .executeTakeFirstOrThrow()
  const mail = { userId: hanna.id, to: 'hr@demo.internkontroll.se', subject: 'Påminnelse', text, html }
  const id = await db
    .transaction()
    .execute((trx) => insertOutboxMail(trx, automaticActor(now), { ...mail, messageId: '<outbox-1@ik.test>' }))
  return { db, id, userId: hanna.id }
}

const findings = async (db: Awaited<ReturnType<typeof aMail>>['db']) =>
  (await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).findings

describe('a mail in the outbox', () => {
  it('is logged with its texts’ SHA-256, not the texts, and verifies', async () => {
    const { db, id } = await aMail()
    const event = await db
      .selectFrom('audit_event')
      .select(['action', 'user_name', 'after'])
      .where('entity', '=', 'outbox_mail')
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(event).toMatchObject({ action: 'create', user_name: 'Påminnelser (automatiskt)' })
    const after = JSON.parse(String(event.after))
    expect(after).toMatchObject({
      subject: 'Påminnelse',
      state: 'queued',
      created_at: now.toISOString(),
      next_attempt_at: now.toISOString(),
      text_body_sha256: sha256(text),
      html_body_sha256: sha256(html),
    })
    expect(after).not.toHaveProperty('text_body')
    expect(after).not.toHaveProperty('html_body')
    expect(String(event.after)).not.toContain('ska vara klar')
    expect(await findings(db)).toEqual([])
    await db.destroy()
  })

  it('shows a text changed behind the app’s back', async () => {
    const { db, id } = await aMail()
    await db
      .updateTable('outbox_mail')
      .set({ html_body: `${html}<p>Klicka här</p>` })
      .where('id', '=', id)
      .execute()
    expect(await findings(db)).toEqual([
      {
        kind: 'record-changed',
        message: expect.stringMatching(
          new RegExp(`^E-post ${id} har ändrats utan att ändringen loggats: fältet Meddelandets HTML \\(SHA-256\\)`),
        ),
      },
    ])
    await db.destroy()
  })

  it('keeps its person: an account a mail went to cannot be deleted, which would change the mail unlogged', async () => {
    const { db, id, userId } = await aMail()
    await expect(db.deleteFrom('app_user').where('id', '=', userId).execute()).rejects.toThrow(/foreign key/i)
    expect(await db.selectFrom('outbox_mail').select('user_id').where('id', '=', id).execute()).toEqual([
      { user_id: userId },
    ])
    await db.destroy()
  })
})
