import { describe, expect, it } from 'vitest'
import { createViews } from '../server/views.js'
import { aMeasure, aRisk, demoPlan } from '../test/helpers/builders.js'
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
