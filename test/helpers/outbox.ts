// Mails in the outbox as the reminder pass writes them, for the sender's tests.
import type { Db } from '../../db/connection.js'
import { audited } from '../../server/audit/audited.js'
import { insertOutboxMail } from '../../server/reminders/outbox.js'
import { automaticActor } from '../../server/reminders/send.js'

let written = 0

/**
 * Writes a mail into the outbox as an audited create, due at `at`; its Message-ID, subject and texts carry a number
 * of its own. `attempts`: the sender's earlier attempts at it, an audited change of their own.
 */
export async function queueMail(
  db: Db,
  fields: { to?: string; attempts?: number; at: Date },
): Promise<{ id: number; messageId: string }> {
  written += 1
  const n = written
  const messageId = `<reminder-${n}-${process.pid}@ik.kommun.test>`
  const actor = automaticActor(fields.at)
  const id = await db.transaction().execute(async (trx) => {
    const mailId = await insertOutboxMail(trx, actor, {
      userId: null,
      to: fields.to ?? 'agare@kommun.test',
      subject: `Grundskolenämnden: Åtgärd ${n} ska vara klar 16 december`,
      text: `Hej!\n\nÅtgärd ${n} ska vara klar 2026-12-16.\nhttps://ik.kommun.test/planer/1/atgarder/${n}/uppdatera\n`,
      html: `<p>Hej!</p><p>Åtgärd ${n} ska vara klar <strong>2026-12-16</strong>.</p>`,
      messageId,
    })
    const attempts = fields.attempts ?? 0
    if (attempts > 0) {
      await audited(trx, actor, 'update', { entity: 'outbox_mail', id: mailId, planId: null }, async () => {
        await trx.updateTable('outbox_mail').set({ attempts }).where('id', '=', mailId).execute()
      })
    }
    return mailId
  })
  return { id, messageId }
}
