// Writing a mail into the outbox: one audited create, the same for the reminder pass and the tests' mails.
import type { Db } from '../../db/connection.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'

export interface NewOutboxMail {
  /** The person it is to; null for a mail to an address without an account. */
  userId: number | null
  to: string
  subject: string
  text: string
  html: string
  /** Fixed at creation, so the receiving server can tell a second delivery of the same mail. */
  messageId: string
}

/**
 * Queues a mail, due at once (at the actor's time), as an audited create in the caller's transaction; its id.
 */
export function insertOutboxMail(db: Db, actor: Actor, mail: NewOutboxMail): Promise<number> {
  return audited(db, actor, 'create', { entity: 'outbox_mail', planId: null }, async () => {
    const { id } = await db
      .insertInto('outbox_mail')
      .values({
        user_id: mail.userId,
        to_address: mail.to,
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html,
        next_attempt_at: actor.at,
        created_at: actor.at,
        message_id: mail.messageId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return id
  })
}
