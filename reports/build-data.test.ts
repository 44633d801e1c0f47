import { describe, expect, it } from 'vitest'
import { reviewLine } from '../server/reviews/review-line.js'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp } from '../test/helpers/test-app.js'
import { buildReportData } from './build-data.js'

describe('buildReportData', () => {
  it('reads the demo plan into the report in the committee’s format', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const data = await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(data).toMatchObject({
      title: 'Uppföljning förbättringsåtgärder 2020',
      committee: 'Grundskolenämnden',
      administration: 'Grundskoleförvaltningen',
      municipality: 'Malmö stad',
      madeOn: '2021-03-15',
      edition: 'Utkast 2021-03-15 10:00',
      adoption: '',
    })
    expect(data?.reviews[0]).toBe(
      'GRF-2020-11639 Uppföljning av internkontrollplan 2020 - Försent betalda leverantörsfakturor. Sammanträde 2020-06-16, protokoll §95.',
    )
    expect(data?.reviews).toHaveLength(8)
    expect(data?.risks.map((r) => r.measures.length)).toEqual([1, 1, 2, 4, 2, 2])
    expect(data?.risks[3]?.measures[0]).toMatchObject({ owner: 'HR-avdelningen', statusLabel: 'Genomförd' })
    expect(data?.inspections.map((i) => i.principal)).toEqual(['Landskrona kommun'])
  })

  it('sums the measures by status and by owner', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const data = await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(data?.statusSummary.map((s) => [s.label, s.count])).toEqual([
      ['Pågående', 1],
      ['Genomförd', 7],
      ['Genomförd – fortsatt arbete', 4],
    ])
    expect(data?.ownerSummary).toEqual([
      { owner: 'Grundskolenämnden', total: 4, counts: [0, 2, 2] },
      { owner: 'HR-avdelningen', total: 4, counts: [0, 4, 0] },
      { owner: 'Utbildningsområden', total: 4, counts: [1, 1, 2] },
    ])
  })

  it('is undefined for a plan that does not exist', async () => {
    const { db } = await createTestApp({ demo: false })
    expect(await buildReportData(db, 1, { madeAt: new Date('2021-03-15T09:00:00Z') })).toBeUndefined()
  })
})

describe('reviewLine', () => {
  it('leaves out the meeting when no decision is registered', () => {
    const review = { diary_number: 'GRF-2021-1', title: 'Granskning.', meeting_date: null, minutes_paragraph: null }
    expect(reviewLine(review)).toBe('GRF-2021-1 Granskning.')
    expect(reviewLine({ ...review, meeting_date: '2021-02-03' })).toBe('GRF-2021-1 Granskning. Sammanträde 2021-02-03.')
    expect(reviewLine({ ...review, minutes_paragraph: 5 })).toBe('GRF-2021-1 Granskning. Protokoll §5.')
  })
})
