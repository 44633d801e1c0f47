// What `npm run audit:verify` proves: the log is whole (chain, signatures, anchor) and every record is as logged.
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import type { Db } from '../../db/connection.js'
import { type AnchoredHead, isSigned, readHeads, reportTag } from './anchor.js'
import { auditedRecords, type Entity } from './audited.js'
import { type ChainBreak, chainChecker } from './chain.js'
import { entityOptions, fieldLabel } from './view-model.js'

export type FindingKind =
  | ChainBreak['kind']
  | 'rows-deleted-at-end'
  | 'log-rewritten'
  | 'anchor-forged'
  | 'anchor-missing'
  | 'anchor-behind'
  | 'record-changed'
  | 'record-removed'
  | 'record-unaudited'
  | 'report-head-missing'
  | 'log-unsigned'

export interface Finding {
  kind: FindingKind
  message: string
}

/** Every kind of record the log keeps, parents first. */
export const auditedEntities: Entity[] = [
  'municipality',
  'administration',
  'committee',
  'municipal_item',
  'owner_unit',
  'app_user',
  'api_token',
  'sso_group_role',
  'plan',
  'risk',
  'review',
  'measure',
  'report_version',
  'inspection',
  'development_area',
  'control',
  'control_run',
  'control_deviation',
  'outbox_mail',
  'rollup_report_version',
]

// Pages keep memory bounded however long the log and the tables grow.
const pageSize = 500
/** The tables whose rows hold a final report's PDF. */
const pdfTables = ['report_version', 'rollup_report_version'] as const satisfies readonly Entity[]

const swedishTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  dateStyle: 'short',
  timeStyle: 'short',
})
const when = (iso: string) => swedishTime.format(new Date(iso))
const rows = (n: number) => `${n} ${n === 1 ? 'rad' : 'rader'}`

/** A head printed in a final report, to be found in the log: its row count, the beginning of that row's hash, its tag. */
export interface ReportHead {
  count: number
  shortHash: string
  tag?: string
}

/**
 * Checks the audit log and every audited record; no findings means the log is whole and complete as far as the
 * key and the anchor file can tell. Reads one consistent snapshot of the database in pages.
 */
export async function verifyAudit(
  db: Db,
  options: { key: string; anchorFile: string | null; reportHeads?: ReportHead[] },
): Promise<{ findings: Finding[]; summary: string }> {
  const { key, anchorFile } = options
  // Heads already in the file were written after their commit, so the snapshot read next holds their rows.
  const anchorBytes = anchorFile && existsSync(anchorFile) ? statSync(anchorFile).size : 0
  // One snapshot for every page read (on PostgreSQL, read committed would give each statement its own), read only so
  // that the instances' writers go on meanwhile.
  const snapshot = db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only')
  return snapshot.execute(async (trx) => {
    const findings: Finding[] = []
    const chain = await checkChain(trx, key, findings)
    // The app signs a log from before the key at its first start with it (baseline.ts), so a log with no signed
    // row left was rewritten by someone without the key, or has never met the app since.
    if (chain.rows > 0 && chain.unkeyed === chain.rows) {
      findings.push({
        kind: 'log-unsigned',
        message:
          `Ingen av ändringsloggens ${rows(chain.rows)} är signerad med loggens nyckel, så hela loggen kan ha skrivits ` +
          'om utanför programmet. En logg från före signeringen signeras när programmet startas med nyckeln.',
      })
    }
    const anchor = anchorFile ? await checkAnchor(trx, key, anchorFile, anchorBytes, chain, findings) : undefined
    for (const head of options.reportHeads ?? []) {
      const row = await trx.selectFrom('audit_event').select('hash').where('id', '=', head.count).executeTakeFirst()
      const found =
        row?.hash.startsWith(head.shortHash.toLowerCase()) &&
        (head.tag === undefined || reportTag(key, { count: head.count, hash: row.hash }) === head.tag.toLowerCase())
      if (!found) {
        findings.push({
          kind: 'report-head-missing',
          message:
            `Rapportens förankring (rad ${head.count}, ${head.shortHash}) finns inte i ändringsloggen: ` +
            'loggen fram till rapporten har ändrats eller tagits bort.',
        })
      }
    }
    let records = 0
    for (const entity of auditedEntities) records += await compareRecords(trx, entity, findings)
    await checkStoredPdfs(trx, findings)

    const parts = [`${rows(chain.rows)}, alla i obruten följd`]
    if (chain.unkeyed > 0) {
      const legacy =
        chain.unkeyed === 1
          ? 'den första, från före signeringen, kontrollerad'
          : `de ${chain.unkeyed} första, från före signeringen, kontrollerade`
      parts.push(`${legacy} med SHA-256 och resten signerade med loggens nyckel`)
    } else if (chain.rows > 0) parts.push('signerade med loggens nyckel')
    // Where the anchor begins tells an anchor file begun anew after the log was cut.
    if (anchor) {
      const { first, latest } = anchor
      parts.push(`förankrade från ${when(first.at)} (rad ${first.count}) till ${when(latest.at)} (rad ${latest.count})`)
    }
    parts.push(`och alla ${records} poster stämmer med sin senast loggade version`)
    return { findings, summary: `Ändringsloggen är hel: ${parts.join(', ')}.` }
  })
}

async function checkChain(db: Db, key: string, findings: Finding[]) {
  const chain = chainChecker(key)
  let firstBreak: ChainBreak | undefined
  let breaks = 0
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize * 2)
      .execute()
    for (const event of page) {
      const broken = chain.check(event)
      if (broken) {
        firstBreak ??= broken
        breaks += 1
      }
    }
    const last = page.at(-1)
    if (!last) break
    after = last.id
  }
  if (firstBreak) {
    const more = breaks > 1 ? ` ${breaks - 1} fler rader efter den är också felaktiga.` : ''
    findings.push({ kind: firstBreak.kind, message: firstBreak.message + more })
  }
  return { rows: chain.rows, lastId: chain.lastId, unkeyed: chain.unkeyed, firstBreakId: firstBreak?.id }
}

/** The anchor file's last head, after checking that each head is signed and still matches the log. */
async function checkAnchor(
  db: Db,
  key: string,
  file: string,
  bytes: number,
  chain: Awaited<ReturnType<typeof checkChain>>,
  findings: Finding[],
): Promise<{ first: AnchoredHead; latest: AnchoredHead } | undefined> {
  let first: AnchoredHead | undefined
  let latest: AnchoredHead | undefined
  let forged = 0
  let rewritten: AnchoredHead | undefined
  let batch: AnchoredHead[] = []
  const compare = async () => {
    const within = batch.filter((h) => h.count <= chain.lastId)
    batch = []
    if (rewritten || within.length === 0) return
    const hashes = new Map(
      (
        await db
          .selectFrom('audit_event')
          .select(['id', 'hash'])
          .where(
            'id',
            'in',
            within.map((h) => h.count),
          )
          .execute()
      ).map((r) => [r.id, r.hash]),
    )
    rewritten = within.find((h) => hashes.has(h.count) && hashes.get(h.count) !== h.hash)
  }
  for await (const head of readHeads(file, { end: bytes })) {
    if (!head || !isSigned(key, head)) {
      forged += 1
      continue
    }
    first ??= head
    if (!latest || head.count >= latest.count) latest = head
    batch.push(head)
    if (batch.length === pageSize) await compare()
  }
  await compare()
  if (forged > 0) {
    findings.push({
      kind: 'anchor-forged',
      message:
        `${forged === 1 ? 'En rad' : `${forged} rader`} i förankringsfilen ${file} är inte ` +
        `${forged === 1 ? 'signerad' : 'signerade'} med ` +
        'loggens nyckel: filen har ändrats utanför programmet.',
    })
  }
  if (rewritten) {
    findings.push({
      kind: 'log-rewritten',
      message: `Ändringsloggen har skrivits om: rad ${rewritten.count} är inte den rad som förankrades ${when(rewritten.at)}.`,
    })
  }
  if (!first || !latest) {
    if (chain.rows > 0) {
      findings.push({
        kind: 'anchor-missing',
        message:
          `Ändringsloggen har ${rows(chain.rows)} men ingen förankring i ${file}, så att rader i slutet av loggen ` +
          'tagits bort kan inte uteslutas. Om filen har funnits: återställ den från säkerhetskopian. Annars skrivs ' +
          'den vid nästa ändring i programmet.',
      })
    }
    return undefined
  }
  if (latest.count > chain.lastId) {
    const missing = latest.count - chain.lastId
    const which =
      chain.rows === 0
        ? 'Alla rader i ändringsloggen saknas: loggen är tom'
        : `${missing === 1 ? 'Den sista raden' : `De ${missing} sista raderna`} i ändringsloggen saknas: loggen har ${rows(chain.lastId)}`
    findings.push({
      kind: 'rows-deleted-at-end',
      message: `${which} men förankringen från ${when(latest.at)} anger ${latest.count}.`,
    })
  } else if (latest.count < chain.lastId && !(await caughtUp(file, key, bytes, chain.lastId))) {
    const behind = chain.lastId - latest.count
    const one = behind === 1
    const signed =
      chain.firstBreakId === undefined || chain.firstBreakId <= latest.count
        ? ` ${one ? 'Raden' : 'Raderna'} efter förankringen är ${one ? 'signerad' : 'signerade'} med loggens nyckel ` +
          `och alltså ${one ? 'skriven' : 'skrivna'} av programmet, som troligen avbröts mellan att en ändring ` +
          `sparades och att den förankrades. Nästa ändring i programmet förankrar ${one ? 'den' : 'dem'}.`
        : ''
    findings.push({
      kind: 'anchor-behind',
      message:
        `Förankringen ligger ${rows(behind)} efter ändringsloggen: loggen har ${rows(chain.lastId)}, ` +
        `förankringen från ${when(latest.at)} anger ${latest.count}.${signed}`,
    })
  }
  return { first, latest }
}

/** Whether a head written while the log was being read covers it: the server anchoring a change meanwhile. */
async function caughtUp(file: string, key: string, bytes: number, count: number): Promise<boolean> {
  for await (const head of readHeads(file, { start: bytes })) {
    if (head && head.count >= count && isSigned(key, head)) return true
  }
  return false
}

/** Compares an entity's records with their last audited version, in pages of ids; returns how many records there are. */
async function compareRecords(db: Db, entity: Entity, findings: Finding[]): Promise<number> {
  let count = 0
  // A final version's row carries its PDF (megabytes): read a few at a time. The bytes are checked by SHA-256 below.
  const limit = pdfTables.some((table) => table === entity) ? 10 : pageSize
  for (let after = 0; ; ) {
    const records = await auditedRecords(db, entity, after, limit)
    const last = records.length === limit ? (records.at(-1)?.id as number) : undefined
    let events = db
      .selectFrom('audit_event')
      .select(['entity_id', 'action', 'at', 'user_name', 'before', 'after'])
      .where('id', 'in', (eb) => {
        let latest = eb
          .selectFrom('audit_event')
          .select((s) => s.fn.max('id').as('id'))
          .where('entity', '=', entity)
          .where('entity_id', '>', after)
        if (last !== undefined) latest = latest.where('entity_id', '<=', last)
        return latest.groupBy('entity_id')
      })
      .orderBy('entity_id')
    if (last !== undefined) events = events.where('entity_id', '<=', last)
    const logged = new Map((await events.execute()).map((e) => [e.entity_id, e]))
    for (const record of records) {
      const id = record.id as number
      const event = logged.get(id)
      logged.delete(id)
      const finding = compareRecord(entity, record, event)
      if (finding) findings.push(finding)
    }
    // What is left was logged but is no longer there.
    for (const event of logged.values()) {
      if (event.action === 'delete') continue
      const logged = JSON.parse(event.after ?? '{}') as Record<string, unknown>
      findings.push({
        kind: 'record-removed',
        message:
          `${recordName(entity, event.entity_id, logged)} har tagits bort utan att borttagningen loggats; ` +
          `den senast loggade versionen är från ${when(event.at)} (${event.user_name}).`,
      })
    }
    count += records.length
    if (last === undefined) return count
    after = last
  }
}

// Columns the history never shows as a change, named here for the auditor.
const recordFieldLabels: Record<string, string> = {
  id: 'Id',
  version: 'Versionsnummer',
  version_number: 'Versionsnummer',
  plan_id: 'Plan',
  municipality_id: 'Kommun',
  inspection_id: 'Extern granskning',
  created_at: 'Skapad',
  file_name: 'Filnamn',
  sha256: 'Kontrollsumma (SHA-256)',
  byte_size: 'Storlek',
}

/**
 * A final version's PDF must be the one its SHA-256 names, which the log holds: the log keeps no PDF's bytes, so
 * this is how bytes swapped behind the app's back show. One PDF at a time: committees' reports, then roll-ups.
 */
async function checkStoredPdfs(db: Db, findings: Finding[]): Promise<void> {
  for (const table of pdfTables) {
    for (let after = 0; ; ) {
      const version = await db
        .selectFrom(table)
        .select(['id', 'file_name', 'sha256', 'pdf'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst()
      if (!version) break
      if (createHash('sha256').update(version.pdf).digest('hex') !== version.sha256) {
        findings.push({
          kind: 'record-changed',
          message:
            `${recordName(table, version.id, version)} har ändrats utan att ändringen loggats: PDF-filen ` +
            'är inte den som fastställdes, dess SHA-256 skiljer sig från den sparade.',
        })
      }
      after = version.id
    }
  }
}

/** How an auditor finds the record: its kind, its id and what it is called, e.g. Åtgärd 12 (”Rutin för …”). */
function recordName(entity: Entity, id: number, record: Record<string, unknown>): string {
  const label = entityOptions.find((o) => o.value === entity)?.label ?? entity
  const subject =
    record.title ?? record.heading ?? record.diary_number ?? record.email ?? record.name ?? record.file_name
  return subject ? `${label} ${id} (”${String(subject)}”)` : `${label} ${id}`
}

function compareRecord(
  entity: Entity,
  record: Record<string, unknown>,
  event: { action: string; at: string; user_name: string; after: string | null } | undefined,
): Finding | undefined {
  const name = recordName(entity, record.id as number, record)
  if (!event) {
    return {
      kind: 'record-unaudited',
      message: `${name} finns inte i ändringsloggen: posten har lagts in utan att det loggats.`,
    }
  }
  const by = `${when(event.at)}, ${event.user_name}`
  if (event.action === 'delete' || event.after === null) {
    return {
      kind: 'record-changed',
      message: `${name} finns, men enligt ändringsloggen togs posten bort (${by}): den har lagts tillbaka utan att det loggats.`,
    }
  }
  const logged = JSON.parse(event.after) as Record<string, unknown>
  // A column added since the last change was not in the record then; it is checked from the record's next change.
  const changed = Object.keys(logged).filter(
    (field) => field in record && JSON.stringify(logged[field]) !== JSON.stringify(record[field]),
  )
  if (changed.length === 0) return undefined
  const labels = changed.map((field) => recordFieldLabels[field] ?? fieldLabel(field))
  const fields =
    labels.length === 1
      ? `fältet ${labels[0]} skiljer sig`
      : `fälten ${labels.slice(0, -1).join(', ')} och ${labels.at(-1)} skiljer sig`
  return {
    kind: 'record-changed',
    message: `${name} har ändrats utan att ändringen loggats: ${fields} från den senast loggade versionen (${by}).`,
  }
}
