import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { aRisk, demoPlan } from '../../test/helpers/builders.js'
import { cellsOf, download, formFields, uploadAndMap } from '../../test/helpers/spreadsheets.js'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { createItem } from '../municipal/push-down.js'

/** What a plan holds, without ids: risks in order with their measures, and reviews with their risk. */
async function contents(db: Db, planId: number) {
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', planId).orderBy('position').execute()
  const measures = await db
    .selectFrom('measure')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.risk_id',
      'measure.title',
      'measure.what_to_do',
      'measure.progress',
      'measure.responsible_person',
      'measure.status',
      'measure.due_date',
      'measure.origin_area_id',
      'owner_unit.name as owner',
    ])
    .orderBy('measure.position')
    .execute()
  const reviews = await db
    .selectFrom('review')
    .leftJoin('risk', 'risk.id', 'review.risk_id')
    .select(['diary_number', 'review.title', 'meeting_date', 'minutes_paragraph', 'risk.title as risk'])
    .where('review.plan_id', '=', planId)
    .orderBy('review.position')
    .execute()
  return {
    risks: risks.map((r) => ({
      title: r.title,
      description: r.description,
      likelihood: r.likelihood,
      consequence: r.consequence,
      treatment: r.treatment,
      scope: r.scope,
      measures: measures.filter((m) => m.risk_id === r.id).map(({ risk_id: _, ...m }) => m),
    })),
    reviews,
  }
}

describe('export and import again', () => {
  for (const format of ['xlsx', 'csv'] as const) {
    it(`gives the same risks, measures, owners, statuses and dates (${format})`, async () => {
      const { agent, db } = await createTestApp()
      const { planId } = await demoPlan(db)
      // A risk without measures, a due date and a text Excel would take for a formula travel too.
      await aRisk(db, planId, { title: 'Risk utan åtgärder' })
      const risk = await db.selectFrom('risk').select('id').where('plan_id', '=', planId).executeTakeFirstOrThrow()
      const area = await db.selectFrom('development_area').select('id').executeTakeFirstOrThrow()
      await db
        .updateTable('measure')
        .set({ due_date: '2021-06-30', title: '=SUMMA(A1) "citat"; semikolon', origin_area_id: area.id })
        .where('risk_id', '=', risk.id)
        .execute()
      const bytes = await download(agent, `/planer/${planId}/exportera/${format}`)
      const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: `plan.${format}` })
      expect(preview).toContain('Inga problem hittades i filen.')
      // What a CSV cannot hold, the preview says before anything is imported.
      expect(html(preview)('#csv-limits').text()).toContain(
        format === 'csv' ? 'En CSV-fil har bara en tabell: risker och åtgärder.' : '',
      )
      expect(html(preview)('#csv-limits')).toHaveLength(format === 'csv' ? 1 : 0)
      const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
      const newPlanId = Number(String(imported.headers.location).split('/').pop())
      expect(newPlanId).not.toBe(planId)

      const before = await contents(db, planId)
      const after = await contents(db, newPlanId)
      expect(after.risks).toEqual(before.risks)
      // CSV carries one table: the reviews come only with the workbook.
      expect(after.reviews).toEqual(format === 'xlsx' ? before.reviews : [])
      expect(before.risks).toHaveLength(7)
      expect(before.risks.flatMap((r) => r.measures)).toHaveLength(12)
      expect(before.reviews).toHaveLength(8)
      expect(before.risks[0]?.measures[0]).toMatchObject({
        due_date: '2021-06-30',
        title: '=SUMMA(A1) "citat"; semikolon',
        origin_area_id: area.id,
      })
    })
  }
})

describe('a plan imported for the year after one the committee has', () => {
  it('links each risk to last year’s of the same title, so it says what is new, changed or unchanged', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const bytes = await download(agent, `/planer/${planId}/exportera/csv`)
    // Edited in Excel before it comes back: one risk renamed, and so new.
    const text = Buffer.from(bytes).toString('utf8').replace('Röjande av sekretess;', 'Röjande av sekretess i e-post;')
    const { preview, previewPath } = await uploadAndMap(agent, { bytes: Buffer.from(text), name: 'plan.csv' })
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())

    const copies = await db
      .selectFrom('risk')
      .selectAll()
      .where('plan_id', '=', newPlanId)
      .orderBy('position')
      .execute()
    expect(copies.map((r) => r.previous_risk_id)).toEqual([null, ...risks.slice(1).map((r) => r.id)])
    const page = html((await agent.get(`/planer/${newPlanId}`).expect(200)).text)
    expect(
      page('article.risk .since-last-year')
        .map((_, e) => page(e).text().trim())
        .get(),
    ).toEqual(['Ny risk för 2021', ...Array(5).fill('Oförändrad sedan 2020')])
  })
})

describe('a workbook exported, imported as a new plan and exported again', () => {
  it('has the same cells on every sheet: the plan’s introductions and adoption, the measures’ origins, the reviews', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    await db
      .updateTable('plan')
      .set({
        measures_introduction: 'Åtgärderna beslutades under året.\n\n- En punkt',
        adopted_meeting_date: '2019-12-17',
        adopted_minutes_paragraph: 201,
        adopted_diary_number: 'GRF-2019-12345',
      })
      .where('id', '=', planId)
      .execute()
    const area = await db.selectFrom('development_area').select('id').executeTakeFirstOrThrow()
    const measure = await db.selectFrom('measure').select('id').orderBy('id').executeTakeFirstOrThrow()
    await db.updateTable('measure').set({ origin_area_id: area.id }).where('id', '=', measure.id).execute()

    const first = await download(agent, `/planer/${planId}/exportera/xlsx`)
    const { preview, previewPath } = await uploadAndMap(agent, { bytes: first, name: 'plan.xlsx' })
    expect(preview).toContain('Inga problem hittades i filen.')
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const second = await download(agent, `${imported.headers.location}/exportera/xlsx`)

    const cells = await cellsOf(first)
    expect(await cellsOf(second)).toEqual(cells)
    // The sheets hold what they are to carry, so that the equality says something.
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow()
    expect(cells.find((s) => s.name === 'Planens uppgifter')?.rows).toEqual([
      ['Uppgift', 'Värde'],
      ['Inledning', plan.introduction],
      ['Inledning till förbättringsåtgärderna', 'Åtgärderna beslutades under året.\n\n- En punkt'],
      ['Antagen vid sammanträde', new Date('2019-12-17T00:00:00Z')],
      ['Antagen i protokollsparagraf', 201],
      ['Antagen med diarienummer', 'GRF-2019-12345'],
    ])
    expect(plan.introduction.length).toBeGreaterThan(100)
    const origins = cells[0]?.rows.map((row) => row[13]).filter((c) => c !== null)
    expect(origins).toEqual([
      'Ursprung',
      expect.stringMatching(/^Skolinspektionen: .+, beslut \d{4}-\d{2}-\d{2} – .+$/),
    ])
    expect(cells.find((s) => s.name === 'Granskningar')?.rows).toHaveLength(9)
  })

  it('with reviews of another year than the new plan’s, says so in the preview, and imports them', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const bytes = await download(agent, `/planer/${planId}/exportera/xlsx`)
    const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: 'plan.xlsx' })
    const $ = html(preview)
    expect(
      $('.import-warnings tbody tr')
        .map((_, tr) => [
          $(tr)
            .find('td')
            .map((__, td) => $(td).text())
            .get(),
        ])
        .get(),
    ).toEqual([['Sammanträdet är 2020, inte i planens år 2021.', '8 rader: 2–9', 'D (Sammanträdesdatum)']])
    expect($('.import-warnings caption').text()).toBe('Bladet Granskningar')
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())
    expect(await db.selectFrom('review').select('id').where('plan_id', '=', newPlanId).execute()).toHaveLength(8)
  })
})

describe('a plan with municipality-wide copies, imported', () => {
  /** The plan's risks and reviews that are copies of an item, with what the committee holds in them. */
  const copiesIn = async (db: Db, planId: number) => ({
    risks: await db
      .selectFrom('risk')
      .select(['title', 'description', 'likelihood', 'consequence', 'scope', 'municipal_item_id'])
      .select((eb) =>
        eb
          .selectFrom('measure')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('measure.risk_id', '=', 'risk.id')
          .as('measures'),
      )
      .where('plan_id', '=', planId)
      .where('municipal_item_id', 'is not', null)
      .execute(),
    reviews: await db
      .selectFrom('review')
      .select(['title', 'diary_number', 'meeting_date', 'minutes_paragraph', 'municipal_item_id'])
      .where('plan_id', '=', planId)
      .where('municipal_item_id', 'is not', null)
      .execute(),
  })

  it('for a year with an item gets exactly one copy, and exported and imported again lands on the copy', async () => {
    const { agent, db } = await createTestApp({ currentYear: true, today: '2021-03-15' })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['plan.id', 'plan.committee_id'])
      .where('committee.name', '=', 'Förskolenämnden')
      .where('plan.year', '=', 2021)
      .executeTakeFirstOrThrow()
    const before = await copiesIn(db, plan.id)
    expect(before.risks).toEqual([
      expect.objectContaining({ title: 'Hantering av bisysslor', likelihood: 2, consequence: 3, measures: 1 }),
    ])
    expect(before.reviews).toHaveLength(1)
    const bytes = await download(agent, `/planer/${plan.id}/exportera/xlsx`)
    await submitForm(agent, `/planer/${plan.id}/ta-bort`, {}, 303)

    // Imported for the same committee (the import form's first) and year: the sheet's row of the item is the copy, not a risk beside it.
    const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: 'plan.xlsx' })
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())
    const newPlan = await db
      .selectFrom('plan')
      .select(['committee_id', 'year'])
      .where('id', '=', newPlanId)
      .executeTakeFirstOrThrow()
    expect(newPlan).toEqual({ committee_id: plan.committee_id, year: 2021 })
    expect(await copiesIn(db, newPlanId)).toEqual(before)
    const titles = await db.selectFrom('risk').select('title').where('plan_id', '=', newPlanId).execute()
    expect(titles.filter((r) => r.title === 'Hantering av bisysslor')).toHaveLength(1)
    expect((await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
  })

  it('from a sheet without an item of its year gets that item’s copy once, after its own risks', async () => {
    const { agent, db } = await createTestApp({ currentYear: true, today: '2021-03-15' })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['plan.id', 'plan.committee_id', 'committee.municipality_id'])
      .where('committee.name', '=', 'Förskolenämnden')
      .where('plan.year', '=', 2021)
      .executeTakeFirstOrThrow()
    const bytes = await download(agent, `/planer/${plan.id}/exportera/xlsx`)
    // Kommunstyrelsen decides another item for the year after the export.
    const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    await db.transaction().execute((trx) =>
      createItem(
        trx,
        actor,
        {
          municipality_id: plan.municipality_id,
          year: 2021,
          kind: 'risk',
          title: 'Leverantörstrohet',
          description: '',
          treatment: 'monitor',
          diary_number: '',
        },
        [plan.committee_id],
      ),
    )
    await submitForm(agent, `/planer/${plan.id}/ta-bort`, {}, 303)
    const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: 'plan.xlsx' })
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())
    const risks = await db
      .selectFrom('risk')
      .select(['title', 'municipal_item_id'])
      .where('plan_id', '=', newPlanId)
      .orderBy('position')
      .execute()
    expect(risks.filter((r) => r.municipal_item_id !== null).map((r) => r.title)).toEqual([
      'Hantering av bisysslor',
      'Leverantörstrohet',
    ])
    expect(risks.at(-1)?.title).toBe('Leverantörstrohet')
    expect((await copiesIn(db, newPlanId)).reviews.map((r) => r.title)).toEqual(['Hantering av bisysslor'])
    expect((await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
  })
})
