import { describe, expect, it } from 'vitest'
import { createItem } from '../server/municipal/push-down.js'
import { createViews } from '../server/views.js'
import { aControl, aMeasure, aRisk, demoContents, demoPlan } from '../test/helpers/builders.js'
import { demoPlanWithControls } from '../test/helpers/report-controls.js'
import { createTestApp, html } from '../test/helpers/test-app.js'
import { buildReportData, type ReportData } from './build-data.js'
import { renderReportHtml } from './render-html.js'

async function demoReport(change?: (db: Awaited<ReturnType<typeof createTestApp>>['db']) => Promise<void>) {
  const { db } = await createTestApp()
  await change?.(db)
  const { planId } = await demoPlan(db)
  const data = (await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })) as ReportData
  return { data, $: html(await renderReportHtml(createViews(), data)) }
}

describe('the report as HTML', () => {
  it('is one self-contained Swedish document that may load nothing', async () => {
    const { $ } = await demoReport()
    expect($('html').attr('lang')).toBe('sv')
    expect($('title').text()).toBe('Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden')
    expect($('meta[http-equiv="Content-Security-Policy"]').attr('content')).toContain("default-src 'none'")
    expect($('link, script, img')).toHaveLength(0)
    expect($('style').text()).toContain('@page')
  })

  it('puts cover, contents, introduction with the reviews, summary, measures and inspections in that order', async () => {
    const { $ } = await demoReport()
    expect($('.report-cover h1').text()).toBe('Uppföljning förbättringsåtgärder 2020')
    expect($('.report-cover').text()).toContain('Utkast')
    expect(
      $('h2')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(['Innehållsförteckning', 'Inledning', 'Sammanfattning', 'Förbättringsåtgärder', 'Externa granskningar'])
    expect($('.report-reviews li').last().text()).toBe(
      'GRF-2020-11767 Uppföljning av internkontrollplan 2020 - Otillåten påverkan. Sammanträde 2020-09-23, protokoll §138.',
    )
  })

  it('lists the sections as Malmö does, the risks and measures under Förbättringsåtgärder, each linking to its heading', async () => {
    const { $, data } = await demoReport()
    expect(
      $('.report-toc__sections > li > .report-toc__entry')
        .map((_, e) => $(e).children().first().text())
        .get(),
    ).toEqual(['Inledning', 'Sammanfattning', 'Förbättringsåtgärder', 'Externa granskningar'])
    const measuresEntry = $('.report-toc__sections > li').eq(2)
    expect(
      measuresEntry
        .find('.report-toc__risks > li > .report-toc__entry')
        .map((_, e) => $(e).children().first().text())
        .get(),
    ).toEqual(data.risks.map((r) => `Risk: ${r.title}`))
    expect(measuresEntry.find('.report-toc__measures .report-toc__entry')).toHaveLength(12)
    const entries = $('.report-toc__entry')
    // 4 sections (the last on Landskrona's inspection linked to the plan's grading risk), 6 risks, 12 measures.
    expect(entries).toHaveLength(22)
    entries.each((_, entry) => {
      const target = $($(entry).attr('href') as string)
      expect(target.text()).toBe($(entry).children().first().text())
      expect($(entry).find('[data-page-of]').attr('data-page-of')).toBe(target.attr('id'))
    })
    expect($('h3').first().text()).toBe('Risk: Röjande av sekretess')
  })

  it('puts the risk matrix in the summary, each risk linking to its heading, without the web page’s table', async () => {
    const { $, data } = await demoReport(async (db) => {
      const { planId } = await demoPlan(db)
      await aRisk(db, planId, { title: 'Risk för felaktiga utbetalningar' })
    })
    const matrix = $('#report-summary').parent().find('figure.risk-matrix')
    expect(matrix).toHaveLength(1)
    expect(matrix.find('figcaption').text()).toBe('Risker efter sannolikhet och konsekvens')
    expect(matrix.find('g[data-likelihood="3"][data-consequence="4"] a text').text()).toBe('7')
    expect(matrix.find('details, table')).toHaveLength(0)
    const links = matrix.find('a')
    // One circle in the grid and one line in the legend for the scored risk, one line for each of the six others.
    expect(links).toHaveLength(8)
    links.each((_, link) => {
      const target = $($(link).attr('href') as string)
      expect(target.is('h3')).toBe(true)
      // A circle of the grid names its risk in its <title> ("7. Risk för …"), a legend line in its text.
      const named = $(link).find('title').text() || $(link).text()
      expect(target.text()).toBe(`Risk: ${named.replace(/^\d+\. /, '')}`)
    })
    expect(links.map((_, a) => $(a).attr('href')).get()).toContain(`#${data.risks.at(-1)?.anchor}`)
    expect(matrix.find('.risk-matrix__unscored li')).toHaveLength(6)
  })

  it('shows each measure as the committee reads it, its Markdown headings below the measure heading', async () => {
    const { $ } = await demoReport()
    const measure = $('.report-measure').first()
    expect(measure.find('h4').text()).toBe('Åtgärd: Fördjupad analys och upprättande av handlingsplan')
    expect(
      measure
        .find('.report-label')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(['Vad ska göras:', 'Genomförda åtgärder'])
    expect(measure.find('.report-status').text()).toBe('Status: Genomförd – fortsatt arbete')
    expect(measure.find('h5').first().text()).toBe('Kartläggning av förvaltningsspecifika förbättringsbehov')
    expect(measure.find('ul li').length).toBeGreaterThan(3)
    expect(measure.find('.report-owner').text()).toBe('(Grundskolenämnden)')
  })

  it('names the risks each development area of an inspection is linked to, a risk of this plan linking to its heading', async () => {
    const { $ } = await demoReport()
    const area = $('#report-inspections').parent().find('.report-area').first()
    const label = area.find('.report-label').filter((_, e) => $(e).text() === 'Kopplade risker')
    const risks = label.next('ul').find('li')
    expect(risks.map((_, li) => $(li).text()).get()).toEqual([
      'Diskrepans mellan betyg på nationella proven och betyg (plan 2020)',
    ])
    const target = $(risks.find('a').attr('href') as string)
    expect(target.text()).toBe('Risk: Diskrepans mellan betyg på nationella proven och betyg')
  })

  it('prints script and HTML in user text as inert text', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    const { $ } = await demoReport(async (db) => {
      const { risks, unit } = await demoPlan(db)
      await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'), { title: payload, progress: payload })
    })
    expect($('script, img')).toHaveLength(0)
    const headings = $('.report-measure h4').filter((_, e) => $(e).text() === `Åtgärd: ${payload}`)
    expect(headings).toHaveLength(1)
  })
})

/** The report of the demo plan with three controls (test/helpers/report-controls.ts), made on 2020-10-15. */
async function controlsReport(change?: (db: Awaited<ReturnType<typeof createTestApp>>['db']) => Promise<void>) {
  const { db } = await createTestApp()
  const plan = await demoPlanWithControls(db)
  await change?.(db)
  const data = (await buildReportData(db, plan.planId, { madeAt: new Date('2020-10-15T09:00:00Z') })) as ReportData
  return { data, plan, $: html(await renderReportHtml(createViews(), data)) }
}

const cellTexts = ($: ReturnType<typeof html>, row: Parameters<ReturnType<typeof html>>[0]) =>
  $(row)
    .children('th, td')
    .map((_, cell) => $(cell).text().replace(/\s+/g, ' ').trim())
    .get()

describe('the report of a plan without controls', () => {
  it('prints as before controls existed: no word of them, and the same contents', async () => {
    const { $ } = await demoReport()
    expect($.html()).not.toContain('Kontrollmoment')
    expect($('.report-control, .report-table--controls, .report-light')).toHaveLength(0)
    // The contents as the demo plan's report had them before controls: written out, not read from the report.
    expect(
      $('.report-toc__entry')
        .map((_, e) => $(e).children().first().text())
        .get(),
    ).toEqual([
      'Inledning',
      'Sammanfattning',
      'Förbättringsåtgärder',
      ...demoContents.flatMap(([risk, measures]) => [`Risk: ${risk}`, ...measures.map((m) => `Åtgärd: ${m}`)]),
      'Externa granskningar',
    ])
    expect($('#report-summary').parent().find('table')).toHaveLength(2)
    expect($('h4').length).toBe(12 + 1)
  })
})

describe('the report of a plan with controls', () => {
  it('lists each risk’s controls after its measures in the contents, each linking to its heading', async () => {
    const { $, data } = await controlsReport()
    const register = $('.report-toc__risks > li').eq(3)
    expect(
      register
        .find('.report-toc__measures .report-toc__entry')
        .map((_, e) => $(e).children().first().text())
        .get(),
    ).toEqual([
      ...(demoContents[3]?.[1] ?? []).map((m) => `Åtgärd: ${m}`),
      'Åtgärd: Påminna rekryterande chefer om kontrollen av belastningsregistret',
      'Kontrollmoment: Kontroll av utdrag ur belastningsregistret',
    ])
    const entries = $('.report-toc__entry')
    expect(entries).toHaveLength(22 + 1 + 3)
    entries.each((_, entry) => {
      const target = $($(entry).attr('href') as string)
      expect(target.text()).toBe($(entry).children().first().text())
      expect($(entry).find('[data-page-of]').attr('data-page-of')).toBe(target.attr('id'))
    })
    // A control heading is a level below its risk's, as a measure's is.
    for (const control of data.risks.flatMap((r) => r.controls)) {
      const heading = $(`#${control.anchor}`)
      expect(heading.is('h4')).toBe(true)
      expect(heading.closest('.report-risk').find('h3').text()).toBe(
        `Risk: ${data.risks.find((r) => r.controls.includes(control))?.title}`,
      )
    }
  })

  it('lists the controls of a risk without measures in the contents too', async () => {
    const { $ } = await controlsReport(async (db) => {
      const { planId, unit } = await demoPlan(db)
      const riskId = await aRisk(db, planId, { title: 'Risk för felaktiga utbetalningar' })
      await aControl(db, riskId, unit('HR-avdelningen'), { title: 'Avstämning av utbetalningar' })
    })
    const risk = $('.report-toc__risks > li').last()
    expect(risk.children('.report-toc__entry').text()).toContain('Risk: Risk för felaktiga utbetalningar')
    expect(
      risk
        .find('.report-toc__measures .report-toc__entry')
        .map((_, e) => $(e).children().first().text())
        .get(),
    ).toEqual(['Kontrollmoment: Avstämning av utbetalningar'])
  })

  it('shows a control with its light in words, runs done of planned, facts and its occasions with their samples', async () => {
    const { $, data } = await controlsReport()
    const control = $(`#${data.risks[3]?.controls[0]?.anchor}`).closest('.report-control')
    expect(control.find('h4').text()).toBe('Kontrollmoment: Kontroll av utdrag ur belastningsregistret')
    const status = control.find('.report-status').first()
    expect(status.text().replace(/\s+/g, ' ')).toBe(
      'Trafikljus: Röd – tillfälle missat eller försenat · 2 av 4 genomförda',
    )
    expect(status.find('.report-light.report-light--red').attr('aria-hidden')).toBe('true')
    expect(
      control
        .find('.report-facts > div')
        .map((_, d) => `${$(d).find('dt').text()}: ${$(d).find('dd').text()}`)
        .get(),
    ).toEqual([
      'Metod: Stickprov',
      'Frekvens: Kvartalsvis',
      'Ansvarig: HR-avdelningen',
      'Rapporteras till: Nämnd',
      'Vad kontrolleras: Att utdrag har visats före anställning.',
    ])
    const table = control.find('table.report-table--runs')
    expect(table.find('caption').text()).toBe('Kontrolltillfällen och stickprov')
    expect(
      table
        .find('thead th[scope="col"]')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual(['Tillfälle', 'Genomförd den', 'Resultat', 'Population', 'Stickprov', 'Kontrollerade', 'Med avvikelser'])
    expect(
      table
        .find('tbody tr')
        .map((_, tr) => [cellTexts($, tr)])
        .get(),
    ).toEqual([
      ['1', '2020-04-03', 'Utan anmärkning', '118', '20', '20', '0'],
      ['2', '2020-07-02', 'Med avvikelser', '97', '15', '15', '2'],
      ['3', '–', 'Försenat, planerat 2020-09-30', '–', '–', '–', '–'],
    ])
    expect(table.find('tbody th[scope="row"]')).toHaveLength(3)
    expect(control.find('.report-notes li').first().text()).toBe(
      'Tillfälle 1: Population: Nyanställda under kvartalet. Urval: slumpmässigt. Utförd av: Eva Ek.',
    )
  })

  it('leaves the sample columns out for a control without samples', async () => {
    const { $, data } = await controlsReport()
    const control = $(`#${data.risks[0]?.controls[0]?.anchor}`).closest('.report-control')
    const table = control.find('table')
    expect(table.find('caption').text()).toBe('Kontrolltillfällen')
    expect(
      table
        .find('thead th')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual(['Tillfälle', 'Genomförd den', 'Resultat'])
    expect(
      table
        .find('tbody tr')
        .map((_, tr) => [cellTexts($, tr)])
        .get(),
    ).toEqual([['1', '2020-06-22', 'Utan anmärkning']])
  })

  it('prints the runs’ comments as safe Markdown under the occasions, each with the occasions it was written for', async () => {
    const { $, data } = await controlsReport()
    const control = $(`#${data.risks[3]?.controls[0]?.anchor}`).closest('.report-control')
    const comments = control.find('table.report-table--runs ~ .report-run-comments')
    expect(comments.find('.report-label').text()).toBe('Kommentarer')
    const each = comments.find('.report-run-comment')
    expect(each.map((_, c) => $(c).find('.report-run-comment__occasions').text()).get()).toEqual([
      'Tillfälle 1',
      'Tillfälle 2',
    ])
    expect(each.eq(0).find('strong').text()).toBe('visade före')
    expect(
      each
        .eq(1)
        .find('li')
        .map((_, li) => $(li).text())
        .get(),
    ).toEqual(['en lärare i maj', 'en elevassistent i juni'])
    // Nine months with the same words print them once.
    const monthly = $(`#${data.risks[0]?.controls[1]?.anchor}`).closest('.report-control')
    expect(monthly.find('.report-run-comment').text().replace(/\s+/g, ' ').trim()).toBe(
      'Tillfällena 1–9 Behörighetslistan stämdes av mot personalsystemet.',
    )
    // A control whose runs say nothing has no such heading.
    const review = $(`#${data.risks[0]?.controls[0]?.anchor}`).closest('.report-control')
    expect(review.find('.report-run-comments')).toHaveLength(0)
  })

  it('prints a comment’s markup as text, never as a script or a javascript: link', async () => {
    const { $, data } = await controlsReport(async (db) => {
      const run = await db
        .selectFrom('control_run')
        .select('id')
        .where('performed_on', '=', '2020-04-03')
        .executeTakeFirstOrThrow()
      await db
        .updateTable('control_run')
        .set({ comment: 'Se <script>alert(1)</script> [länken](javascript:alert(1)).' })
        .where('id', '=', run.id)
        .execute()
    })
    const control = $(`#${data.risks[3]?.controls[0]?.anchor}`).closest('.report-control')
    const first = control.find('.report-run-comment').first()
    expect(first.find('script')).toHaveLength(0)
    expect(first.find('a[href^="javascript"]')).toHaveLength(0)
  })

  it('lists the deviations with severity and decision, each measure decided linking to its heading', async () => {
    const { $, data, plan } = await controlsReport()
    const control = $(`#${data.risks[3]?.controls[0]?.anchor}`).closest('.report-control')
    const deviations = control.find('.report-deviations > li')
    expect(deviations.map((_, li) => $(li).text().replace(/\s+/g, ' ').trim()).get()).toEqual([
      'Två anställningar utan registrerat utdrag före anställningsdagen. Tillfälle 2 · Allvarlighetsgrad: Hög · ' +
        `Beslut: Åtgärd krävs Åtgärd: ${plan.measureTitle} (HR-avdelningen) – Pågående`,
      'Utdraget arkiverades i fel akt. Tillfälle 2 · Allvarlighetsgrad: Låg · Beslut: Ingen åtgärd: Rättat direkt av HR-administratören.',
    ])
    const link = deviations.first().find('a')
    expect($(link.attr('href') as string).is('h4')).toBe(true)
    expect($(link.attr('href') as string).text()).toBe(`Åtgärd: ${plan.measureTitle}`)
  })

  it('puts a table of every control with its light in the Sammanfattning, a risk heading its controls’ rows', async () => {
    const { $, data } = await controlsReport()
    const table = $('#report-summary').parent().find('table.report-table--controls')
    expect(table).toHaveLength(1)
    expect(table.find('caption').text()).toBe('Kontrollmoment och trafikljus per 2020-10-15')
    expect(
      table
        .find('thead th[scope="col"]')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual([
      'Risk',
      'Kontrollmoment',
      'Frekvens',
      'Genomförda av planerade',
      'Registrerade avvikelser',
      'Trafikljus',
    ])
    expect(
      table
        .find('tbody tr')
        .map((_, tr) => [cellTexts($, tr)])
        .get(),
    ).toEqual([
      [
        'Röjande av sekretess',
        'Genomgång av sekretessmarkeringar i elevakter',
        'Halvårsvis',
        '1 av 2',
        '0',
        'Grön – utan avvikelser',
      ],
      ['Avstämning av behörigheter i elevregistret', 'Månadsvis', '9 av 12', '1', 'Gul – avvikelser'],
      [
        'Bristfällig kontroll av utdrag ur belastningsregister vid nyrekrytering',
        'Kontroll av utdrag ur belastningsregistret',
        'Kvartalsvis',
        '2 av 4',
        '2',
        'Röd – tillfälle missat eller försenat',
      ],
    ])
    // Each risk is the header of its group of rows; each control the header of its row, linking to its heading.
    const groups = table.find('tbody')
    expect(groups.map((_, g) => $(g).find('th[scope="rowgroup"]').attr('rowspan')).get()).toEqual(['2', '1'])
    table.find('th[scope="row"] a').each((_, a) => {
      expect($($(a).attr('href') as string).text()).toBe(`Kontrollmoment: ${$(a).text()}`)
    })
    expect(
      table
        .find('.report-light')
        .map((_, l) => $(l).attr('class'))
        .get(),
    ).toEqual([
      'report-light report-light--green',
      'report-light report-light--yellow',
      'report-light report-light--red',
    ])
    expect(data.controlSummary).toHaveLength(2)
  })

  it('prints script and HTML in a control’s and a deviation’s text as inert text', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    const { $ } = await controlsReport(async (db) => {
      await db
        .updateTable('control')
        .set({ title: payload, what_is_checked: payload, method: 'own', method_own: payload })
        .execute()
      await db.updateTable('control_deviation').set({ description: payload }).execute()
      await db.updateTable('control_run').set({ population: payload, not_performed_reason: payload }).execute()
    })
    expect($('script, img')).toHaveLength(0)
    expect($('.report-control h4').filter((_, e) => $(e).text() === `Kontrollmoment: ${payload}`)).toHaveLength(3)
  })
})

describe('the report of a plan with a municipality-wide review', () => {
  it('marks the copy Kommungemensam and prints the review’s result; without them the reviews print as before', async () => {
    const plain = await demoReport()
    expect(plain.$('.report-municipal, .report-review-result')).toHaveLength(0)
    // Each review is its line and nothing else, as before reviews had results.
    expect(plain.$('.report-reviews li *')).toHaveLength(0)
    expect(
      plain
        .$('.report-reviews li')
        .map((_, li) => plain.$(li).text())
        .get(),
    ).toEqual(plain.data.reviews.map((r) => r.line))

    const { $, data } = await demoReport(async (db) => {
      const committee = await db.selectFrom('committee').select(['id', 'municipality_id']).executeTakeFirstOrThrow()
      const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
      const item = {
        municipality_id: committee.municipality_id,
        year: 2020,
        kind: 'review' as const,
        title: 'Hantering av bisysslor',
        description: 'Risk för att bisysslor inte anmäls.',
        treatment: 'review' as const,
        diary_number: 'KS 2020/0412',
      }
      const itemId = await createItem(db, actor, item, [committee.id])
      await db
        .updateTable('review')
        .set({ result: 'Sex av **40** bisysslor var inte anmälda.' })
        .where('municipal_item_id', '=', itemId)
        .execute()
    })
    const note = 'Kommungemensam – beslutad av kommunstyrelsen (KS 2020/0412)'
    const copy = data.risks.find((r) => r.title === 'Hantering av bisysslor')
    expect(copy?.municipal).toBe(note)
    expect($(`#${copy?.anchor}`).nextAll('.report-municipal').text()).toBe(note)
    expect(data.risks.filter((r) => r.municipal)).toHaveLength(1)
    const review = $('.report-reviews li').last()
    expect(review.find('.report-municipal').text()).toBe('Kommungemensam – beslutad av kommunstyrelsen.')
    expect(review.find('.report-review-result strong').text()).toBe('40')
    expect($('.report-review-result')).toHaveLength(1)
  })
})
