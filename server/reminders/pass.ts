// PLACEHOLDER for helper P's server/reminders/pass.ts (branch p-pass), with its signatures, so this branch compiles
// and its tests run on their own. At the merge take P's file (git checkout --theirs server/reminders/pass.ts).
import type { Db } from '../../db/connection.js'
import type { Config } from '../config.js'

export interface ReminderPassOptions {
  /** The day of the pass, YYYY-MM-DD in Europe/Stockholm. */
  today: string
  now: Date
  config: Pick<Config, 'publicUrl'>
}

export interface PreviewMail {
  to: string
  subject: string
  text: string
}

/** Placeholder: P's pass writes the reminders due `today` and their mails into the outbox. */
export async function runReminderPass(
  _db: Db,
  _options: ReminderPassOptions,
): Promise<{ reminders: number; mails: number }> {
  return { reminders: 0, mails: 0 }
}

/** Placeholder: P's preview returns the mails the pass of `today` would write, writing nothing. */
export async function previewReminderPass(
  _db: Db,
  _options: { today: string; now?: Date; config: Pick<Config, 'publicUrl'> },
): Promise<PreviewMail[]> {
  return []
}
