// Mails in the outbox as the reminder pass writes them, for the sender's tests.
import type { Db } from '../../db/connection.js'
import { auditedTransaction } from '../../server/audit/audited.js'
import { automaticActor } from '../../server/reminders/send.js'

let written = 0

/**
 * Writes a mail into the outbox as an audited create, due at `at`; its Message-ID, subject and texts carry a number
 * of its own.
 */
export async function queueMail(
  db: Db,
  fields: { to?: string; attempts?: number; at: Date },
): Promise<{ id: number; messageId: string }> {
  written += 1
  const n = written
  const at = fields.at.toISOString()
  const messageId = `<reminder-${n}-${process.pid}@ik.kommun.test>`
  const id = await auditedTransaction(
    db,
    automaticActor(fields.at),
    'create',
    { entity: 'outbox_mail', planId: null },
    async (trx) => {
      const row = await trx
        .insertInto('outbox_mail')
        .values({
          user_id: null,
          to_address: fields.to ?? 'agare@kommun.test',
          subject: `Grundskolenämnden: Åtgärd ${n} ska vara klar 16 december`,
          text_body: `Hej!\n\nÅtgärd ${n} ska vara klar 2026-12-16.\nhttps://ik.kommun.test/planer/1/atgarder/${n}/uppdatera\n`,
          html_body: `<p>Hej!</p><p>Åtgärd ${n} ska vara klar <strong>2026-12-16</strong>.</p>`,
          attempts: fields.attempts ?? 0,
          next_attempt_at: at,
          created_at: at,
          message_id: messageId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    },
  )
  return { id, messageId }
}
