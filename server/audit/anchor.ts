// The audit log's head (how many rows, the last one's hash) kept outside the database, signed with the audit key.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { CompiledQuery, type DatabaseConnection } from 'kysely'
import { type Db, openDatabase } from '../../db/connection.js'
import { type Config, developmentAuditKey } from '../config.js'

let signingKey = developmentAuditKey

/** The key new audit rows are signed with: one per process, set where the database is opened. */
export function auditKey(): string {
  return signingKey
}

export interface Head {
  /** How many rows the log had, which is also the last row's id. */
  count: number
  hash: string
}

export interface AnchoredHead extends Head {
  at: string
  tag: string
}

function headTag(key: string, head: Head & { at: string }): string {
  return createHmac('sha256', key).update(`audit-head:${head.at}:${head.count}:${head.hash}`).digest('hex')
}

/** Whether a head read from the anchor file was written by someone holding the key. */
export function isSigned(key: string, head: AnchoredHead): boolean {
  const expected = Buffer.from(headTag(key, head))
  const actual = Buffer.from(String(head.tag))
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/**
 * Appends a head to the anchor file and waits for the disk: a line per committed change, so a torn last line
 * (a crash while writing) leaves every earlier head readable, and a head once written is never overwritten.
 */
export function appendHead(file: string, key: string, head: Head, at: Date): void {
  const anchored = { at: at.toISOString(), count: head.count, hash: head.hash }
  const line = `${JSON.stringify({ ...anchored, tag: headTag(key, anchored) })}\n`
  const fd = openSync(file, 'a+')
  try {
    // After a torn line the head starts a line of its own, or both would be unreadable.
    const { size } = fstatSync(fd)
    const last = Buffer.alloc(1)
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a
    writeSync(fd, torn ? `\n${line}` : line)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * The anchor file's heads in the order written, from byte `start` to byte `end`; a line of a head's shape but not
 * of its fields comes as null. A line that is no JSON at all is a torn write, which held no head: it is skipped.
 */
export async function* readHeads(
  file: string,
  range: { start?: number; end?: number } = {},
): AsyncGenerator<AnchoredHead | null> {
  if (!existsSync(file) || range.end === 0) return
  const end = range.end === undefined ? undefined : range.end - 1
  const lines = createInterface({ input: createReadStream(file, { start: range.start, end }) })
  for await (const line of lines) {
    if (line.trim() === '') continue
    let head: AnchoredHead
    try {
      head = JSON.parse(line) as AnchoredHead
    } catch {
      continue
    }
    const wellFormed = Number.isInteger(head?.count) && typeof head.hash === 'string' && typeof head.at === 'string'
    yield wellFormed ? head : null
  }
}

// Runs on the connection that just committed, of either engine: plain SQL both read alike, with no parameters.
const headQuery: CompiledQuery<Head> = CompiledQuery.raw(
  'select "id" as "count", "hash" from "audit_event" order by "id" desc limit 1',
)

/** The tag a report prints beside a head: the key holder can tell a head the app printed from one typed in. */
export function reportTag(key: string, head: Head): string {
  return createHmac('sha256', key).update(`report-head:${head.count}:${head.hash}`).digest('hex').slice(0, 16)
}

/**
 * The log's head now, as a final report prints it (`count`, `shortHash`, `tag`) so that `audit:verify --rapport
 * count:shortHash:tag` can find it in the log later; read it in the transaction that stores the report.
 */
export async function auditHead(db: Db): Promise<Head & { shortHash: string; tag: string }> {
  const head = (await db.executeQuery(headQuery)).rows[0] ?? { count: 0, hash: '' }
  return { ...head, shortHash: head.hash.slice(0, 16), tag: reportTag(signingKey, head) }
}

/**
 * After each commit, still holding the connection so no other change comes between, appends the log's head to
 * the anchor file when it moved. The change is committed by then: a failed append cannot undo it and must not
 * turn a saved form into an error page, so it is reported on standard error, and `audit:verify` reports the
 * anchor as behind until the next change's head catches up.
 */
function anchorAfterCommit(file: string, key: string, clock: () => Date) {
  let anchored: number | undefined
  return async (connection: DatabaseConnection) => {
    // Reading the head may fail too; nothing here may reach the transaction, which is committed and cannot roll back.
    let head: Head | undefined
    try {
      head = (await connection.executeQuery<Head>(headQuery)).rows[0]
      if (!head || head.count === anchored) return
      appendHead(file, key, head, clock())
      anchored = head.count
    } catch (error) {
      console.error(
        `The audit log's head (row ${head?.count ?? '?'}) could not be written to ${file}: ${String(error)}. ` +
          'npm run audit:verify reports the anchor as behind until a later change is anchored.',
      )
    }
  }
}

/**
 * Opens the configured database so that its audit rows are signed with the configured key and every committed
 * change's head is anchored: what the server and every script that changes records use.
 */
export function openAuditedDatabase(config: Config, clock: () => Date = () => new Date()): Db {
  signingKey = config.auditKey
  const { auditAnchorFile } = config
  return openDatabase(config.database, {
    afterCommit: auditAnchorFile ? anchorAfterCommit(auditAnchorFile, config.auditKey, clock) : undefined,
  })
}
