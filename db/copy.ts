// Copying an installation's SQLite database, every row of every table, into another database of the same schema
// (PostgreSQL or SQLite): what `npm run db:copy` does, apart from the audit log's check.
import { createHash } from 'node:crypto'
import { type RawBuilder, sql } from 'kysely'
import { type Db, isPostgres } from './connection.js'

/** A table as the copy sees it, read from the source's own schema so that a table a migration adds is never missed. */
export interface Table {
  name: string
  columns: string[]
  /** The primary key's columns, in order: the copy pages through the rows by it. */
  key: string[]
  /** Holds PDFs: read a few rows at a time. */
  hasBlobs: boolean
  /** Columns that reference this table's own single-column key (a risk's previous risk). */
  selfReferences: { column: string; key: string }[]
}

export interface CopiedTable {
  name: string
  /** In the source once the copy was made: a change made meanwhile shows as a difference. */
  sourceRows: number
  targetRows: number
  sameContents: boolean
}

// Kysely's own bookkeeping: the target's is written by its migration.
const migrationTables = ['kysely_migration', 'kysely_migration_lock']
const isDataTable = (name: string) => !name.startsWith('sqlite_') && !migrationTables.includes(name)

/** Rows per page, per table with PDFs, and the most values in one INSERT (both engines' limit is far above). */
export const defaultBatchSize = 500
const blobBatchSize = 10
const valuesPerInsert = 10_000

type Row = Record<string, unknown>

/** The source's tables, each after the tables it references. */
export async function sourceTables(source: Db): Promise<Table[]> {
  const names = (
    await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by rowid`.execute(source)
  ).rows
    .map((r) => r.name)
    .filter(isDataTable)
  const tables: (Table & { references: string[] })[] = []
  for (const name of names) {
    const columns = (
      await sql<{ name: string; type: string; pk: number }>`select name, type, pk from pragma_table_info(${name})
        order by cid`.execute(source)
    ).rows
    const key = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name)
    if (key.length === 0) throw new Error(`The table ${name} has no primary key, which the copy pages through it by.`)
    const foreignKeys = (
      await sql<{ table: string; from: string; to: string | null }>`select "table", "from", "to"
        from pragma_foreign_key_list(${name})`.execute(source)
    ).rows
    tables.push({
      name,
      columns: columns.map((c) => c.name),
      key,
      hasBlobs: columns.some((c) => c.type.toLowerCase() === 'blob'),
      selfReferences: foreignKeys.flatMap((f) => {
        const [only, ...more] = key
        return f.table === name && only && more.length === 0 && (f.to ?? only) === only
          ? [{ column: f.from, key: only }]
          : []
      }),
      references: [...new Set(foreignKeys.map((f) => f.table).filter((t) => t !== name))],
    })
  }
  return inReferenceOrder(tables)
}

/** Each table after those it references, in creation order otherwise, since PostgreSQL checks each INSERT's keys. */
function inReferenceOrder(tables: (Table & { references: string[] })[]): Table[] {
  const ordered: Table[] = []
  const placed = new Set<string>()
  const waiting = [...tables]
  while (waiting.length > 0) {
    const next = waiting.find((t) => t.references.every((r) => placed.has(r)))
    if (!next) {
      throw new Error(`The tables ${waiting.map((t) => t.name).join(', ')} reference each other: no order copies them.`)
    }
    waiting.splice(waiting.indexOf(next), 1)
    const { references: _references, ...table } = next
    ordered.push(table)
    placed.add(table.name)
  }
  return ordered
}

/** Every table and column of a database, its migrations' own tables apart. */
async function columnsOf(db: Db): Promise<Map<string, string[]>> {
  const rows = isPostgres(db)
    ? await sql<{ table: string; column: string }>`select table_name as "table", column_name as "column"
        from information_schema.columns where table_schema = current_schema()
        order by table_name, ordinal_position`.execute(db)
    : await sql<{ table: string; column: string }>`select m.name as "table", p.name as "column"
        from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table' order by m.name, p.cid`.execute(db)
  const tables = new Map<string, string[]>()
  for (const { table, column } of rows.rows) {
    if (isDataTable(table)) tables.set(table, [...(tables.get(table) ?? []), column])
  }
  return tables
}

/** The target's tables that hold a row: a copy goes only into an empty database. */
export async function tablesWithRows(target: Db): Promise<string[]> {
  const held: string[] = []
  for (const table of (await columnsOf(target)).keys()) {
    const row = (await sql`select 1 from ${sql.table(table)} limit 1`.execute(target)).rows[0]
    if (row) held.push(table)
  }
  return held
}

/** How the migrated target's tables and columns differ from the source's; none, and every row has its place. */
export async function schemaDifferences(tables: Table[], target: Db): Promise<string[]> {
  const targetColumns = await columnsOf(target)
  const differences: string[] = []
  for (const table of tables) {
    const columns = targetColumns.get(table.name)
    if (!columns) {
      differences.push(`the table ${table.name} is missing`)
      continue
    }
    const missing = table.columns.filter((c) => !columns.includes(c))
    const extra = columns.filter((c) => !table.columns.includes(c))
    if (missing.length > 0) differences.push(`${table.name} lacks the column(s) ${missing.join(', ')}`)
    if (extra.length > 0)
      differences.push(`${table.name} has the column(s) ${extra.join(', ')}, which the source lacks`)
  }
  for (const name of targetColumns.keys()) {
    if (!tables.some((t) => t.name === name)) differences.push(`the table ${name} is not in the source`)
  }
  return differences
}

const refs = (columns: string[]) => sql.join(columns.map((c) => sql.ref(c)))

/**
 * The source's text values holding a NUL (U+0000), named by table, column and key: PostgreSQL's text cannot hold
 * one, and the copy never changes a value (the audit log vouches for each). At most `limit` of them.
 */
export async function nulValues(source: Db, tables: Table[], limit = 20): Promise<string[]> {
  const found: string[] = []
  for (const table of tables) {
    for (const column of table.columns) {
      if (found.length >= limit) return found
      // As a blob, since SQLite's text functions stop at a NUL.
      const rows = await sql<Row>`select ${refs(table.key)} from ${sql.table(table.name)}
        where typeof(${sql.ref(column)}) = 'text' and instr(cast(${sql.ref(column)} as blob), x'00') > 0
        order by ${refs(table.key)} limit ${limit - found.length}`.execute(source)
      for (const row of rows.rows) found.push(`${table.name}.${column} in the row ${keyOf(table, row)}`)
    }
  }
  return found
}

const keyOf = (table: Table, row: Row) => table.key.map((k) => `${k} = ${JSON.stringify(row[k])}`).join(', ')

/**
 * A table's rows in key order, a page at a time, so that memory holds one page however large the table; `where`
 * narrows them. Keyset pagination: each page starts after the last key of the one before, which an index finds.
 */
async function* pages(db: Db, table: Table, columns: string[], batchSize: number, where?: RawBuilder<unknown>) {
  let last: unknown[] | undefined
  for (;;) {
    const conditions = [...(where ? [where] : []), ...(last ? [sql`(${refs(table.key)}) > (${sql.join(last)})`] : [])]
    const { rows } = await sql<Row>`select ${refs(columns)} from ${sql.table(table.name)}
      ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
      order by ${refs(table.key)} limit ${batchSize}`.execute(db)
    const lastRow = rows.at(-1)
    if (!lastRow) return
    yield rows
    last = table.key.map((k) => lastRow[k])
  }
}

/**
 * A table's contents as one number that does not depend on the order of its rows (each engine orders text by its
 * own collation): the sum of each row's SHA-256, of its values in the source's column order.
 */
class ContentSum {
  private sum = 0n
  add(table: Table, row: Row): void {
    const values = table.columns.map((c) => {
      const value = row[c]
      return Buffer.isBuffer(value) ? { bytes: value.toString('hex') } : value
    })
    this.sum =
      (this.sum + BigInt(`0x${createHash('sha256').update(JSON.stringify(values)).digest('hex')}`)) % 2n ** 256n
  }
  get value(): bigint {
    return this.sum
  }
}

async function countRows(db: Db, table: string): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n)
}

/** The copy did not equal its source: the target's transaction is rolled back. */
export class CopyMismatch extends Error {
  constructor(readonly tables: CopiedTable[]) {
    super('The copy does not equal its source.')
  }
}

export interface CopyOptions {
  batchSize?: number
  /** After each page: the rows of `table` copied so far, of `total`. */
  progress?: (table: string, copied: number, total: number) => void
}

/**
 * Copies every row of `tables` from `source` into the empty, migrated `target`, in one transaction on the target and
 * one read snapshot of the source; then compares each table's rows and contents there, and commits only when all are
 * equal (else CopyMismatch). The target's next ids continue after the highest the source ever gave.
 */
export async function copyTables(
  source: Db,
  target: Db,
  tables: Table[],
  { batchSize = defaultBatchSize, progress = () => {} }: CopyOptions = {},
): Promise<CopiedTable[]> {
  const copied = await target.transaction().execute(async (trx) => {
    const sums = await source.transaction().execute(async (snapshot) => {
      const sums = new Map<string, bigint>()
      for (const table of tables) sums.set(table.name, await copyTable(snapshot, trx, table, batchSize, progress))
      return sums
    })
    const copied: CopiedTable[] = []
    for (const table of tables) {
      const [copy, now] = [new ContentSum(), new ContentSum()]
      for await (const rows of pages(trx, table, table.columns, batchSize)) for (const row of rows) copy.add(table, row)
      // The source read again outside the snapshot: a row a running server added, removed or changed meanwhile (a
      // mail marked sent, which would go again from the copy) shows as a difference.
      for await (const rows of pages(source, table, table.columns, batchSize))
        for (const row of rows) now.add(table, row)
      copied.push({
        name: table.name,
        sourceRows: await countRows(source, table.name),
        targetRows: await countRows(trx, table.name),
        sameContents: copy.value === sums.get(table.name) && now.value === copy.value,
      })
    }
    if (copied.some((t) => t.sourceRows !== t.targetRows || !t.sameContents)) throw new CopyMismatch(copied)
    await continueIds(source, trx, tables)
    return copied
  })
  // Statistics for PostgreSQL's planner, which would otherwise plan the first queries on bulk-loaded tables blind
  // until autovacuum gets round to them. The copy is committed by now: a failure here only delays them.
  if (isPostgres(target)) {
    await sql`analyze`
      .execute(target)
      .catch((error) => console.error(`ANALYZE failed (${error}); autovacuum will do it.`))
  }
  return copied
}

/** Copies one table in pages; returns the sum of its source rows' contents. */
async function copyTable(
  source: Db,
  target: Db,
  table: Table,
  batchSize: number,
  progress: NonNullable<CopyOptions['progress']>,
) {
  const total = await countRows(source, table.name)
  const pageSize = Math.min(batchSize, table.hasBlobs ? blobBatchSize : batchSize)
  const rowsPerInsert = Math.max(1, Math.floor(valuesPerInsert / table.columns.length))
  const contents = new ContentSum()
  let copied = 0
  for await (const rows of pages(source, table, table.columns, pageSize)) {
    for (const row of rows) contents.add(table, row)
    for (let i = 0; i < rows.length; i += rowsPerInsert) {
      const values = rows.slice(i, i + rowsPerInsert).map((row) => {
        // A reference to a later row of the same table waits until that row is there (see below).
        const later = (column: string) =>
          table.selfReferences.some((r) => r.column === column && Number(row[column]) > Number(row[r.key]))
        return sql`(${sql.join(table.columns.map((c) => (later(c) ? null : row[c])))})`
      })
      await sql`insert into ${sql.table(table.name)} (${refs(table.columns)}) values ${sql.join(values)}`.execute(
        target,
      )
    }
    copied += rows.length
    progress(table.name, copied, total)
  }
  if (copied === 0) progress(table.name, 0, total)
  for (const { column, key } of table.selfReferences) {
    const later = sql`${sql.ref(column)} > ${sql.ref(key)}`
    for await (const rows of pages(source, table, [key, column], batchSize, later)) {
      for (const row of rows) {
        await sql`update ${sql.table(table.name)} set ${sql.ref(column)} = ${row[column]}
          where ${sql.ref(key)} = ${row[key]}`.execute(target)
      }
    }
  }
  return contents.value
}

/**
 * New rows on the target get ids the source never gave: SQLite's AUTOINCREMENT keeps the highest id ever given in
 * sqlite_sequence, a deleted measure's too, and its id must not come back on another measure, whose history in the
 * audit log would then begin with the deleted one's. PostgreSQL's identity columns continue from their sequences.
 */
async function continueIds(source: Db, target: Db, tables: Table[]): Promise<void> {
  const hasSequences = (
    await sql`select 1 from sqlite_master where name = 'sqlite_sequence'`.execute(source)
  ).rows.some(Boolean)
  const given = new Map(
    hasSequences
      ? (await sql<{ name: string; seq: number }>`select name, seq from sqlite_sequence`.execute(source)).rows
          .filter((r) => tables.some((t) => t.name === r.name))
          .map((r) => [r.name, Number(r.seq)])
      : [],
  )
  if (!isPostgres(target)) {
    for (const [name, seq] of given) {
      await sql`delete from sqlite_sequence where name = ${name}`.execute(target)
      await sql`insert into sqlite_sequence (name, seq) values (${name}, ${seq})`.execute(target)
    }
    return
  }
  const identities = await sql<{ table: string; column: string }>`select table_name as "table",
    column_name as "column" from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES'`.execute(target)
  for (const { table, column } of identities.rows) {
    const highest = await sql<{ n: number | null }>`select max(${sql.ref(column)}) as n
      from ${sql.table(table)}`.execute(target)
    const last = Math.max(given.get(table) ?? 0, Number(highest.rows[0]?.n ?? 0))
    // A sequence never used starts at 1 by itself; setval cannot be given 0.
    if (last > 0) {
      await sql`select setval(pg_get_serial_sequence(quote_ident(${table}), ${column}), ${last})`.execute(target)
    }
  }
}
