import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateToLatest, openDatabase } from '../connection.js'
import { loadDemoDataIfEmpty, resetToDemoData } from './demo.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function freshFile() {
  const dir = mkdtempSync(join(tmpdir(), 'ik-seed-'))
  dirs.push(dir)
  const db = openDatabase(join(dir, 'nested', 'ik.sqlite'))
  await migrateToLatest(db)
  return db
}

const counts = async (db: Awaited<ReturnType<typeof freshFile>>) => ({
  risks: (await db.selectFrom('risk').select('id').execute()).length,
  measures: (await db.selectFrom('measure').select('id').execute()).length,
  reviews: (await db.selectFrom('review').select('id').execute()).length,
  units: (await db.selectFrom('owner_unit').select('name').orderBy('name').execute()).map((u) => u.name),
  inspections: (await db.selectFrom('inspection').select('principal').orderBy('decision_date').execute()).map(
    (i) => i.principal,
  ),
  areas: (await db.selectFrom('development_area').select('id').execute()).length,
})

describe('demo data', () => {
  it('loads Grundskolenämnden 2020 into an empty SQLite file, once', async () => {
    const db = await freshFile()
    expect(await loadDemoDataIfEmpty(db, new Date())).toBe(true)
    expect(await loadDemoDataIfEmpty(db, new Date())).toBe(false)
    expect(await counts(db)).toEqual({
      risks: 6,
      measures: 12,
      reviews: 8,
      units: ['Grundskolenämnden', 'HR-avdelningen', 'Utbildningsområden'],
      inspections: ['Trelleborgs kommun', 'Landskrona kommun', 'Borlänge kommun', 'Perstorps kommun'],
      areas: 7,
    })
    // Landskrona's finding on grading is linked to Malmö's risk of grades diverging from the national tests.
    const linked = await db
      .selectFrom('development_area_risk')
      .innerJoin('risk', 'risk.id', 'development_area_risk.risk_id')
      .innerJoin('development_area', 'development_area.id', 'development_area_risk.area_id')
      .select(['risk.title', 'development_area.heading'])
      .execute()
    expect(linked).toEqual([
      {
        title: 'Diskrepans mellan betyg på nationella proven och betyg',
        heading: 'Rättvisande och likvärdiga betyg (Asmundtorps skola)',
      },
    ])
    const { journal_mode } = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0] ?? {}
    expect(journal_mode).toBe('wal')
    await db.destroy()
  })

  it('resets an edited database back to the demo plan', async () => {
    const db = await freshFile()
    await loadDemoDataIfEmpty(db, new Date())
    await db.deleteFrom('risk').where('position', '>', 2).execute()
    await db.deleteFrom('inspection').where('principal', '=', 'Perstorps kommun').execute()
    await resetToDemoData(db, new Date())
    expect(await counts(db)).toMatchObject({ risks: 6, measures: 12, reviews: 8, areas: 7 })
    await db.destroy()
  })
})
