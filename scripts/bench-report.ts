// npm run bench:report — how long the finished follow-up PDF takes with a warm browser, for the demo plan and
// a generated plan of about 1000 measures (test/helpers/big-plan.ts), beside the time Chromium needs to print the same final HTML once.
// Their ratio is the cost of getting the table of contents right: printing twice to learn the pages costs ~2.0.
import { performance } from 'node:perf_hooks'
import { migrateToLatest, openDatabase } from '../db/connection.js'
import { loadDemoDataIfEmpty } from '../db/seed/demo.js'
import { buildReportData } from '../reports/build-data.js'
import { makeReportPdf } from '../reports/make-report.js'
import { loadPdf, namedDestinationPages } from '../reports/pdf-document.js'
import { renderReportHtml } from '../reports/render-html.js'
import { PdfPrinter } from '../reports/render-pdf.js'
import { loadConfig } from '../server/config.js'
import { createViews } from '../server/views.js'
import { aBigPlan } from '../test/helpers/big-plan.js'

const config = loadConfig()
const db = openDatabase(':memory:')
await migrateToLatest(db)
await loadDemoDataIfEmpty(db, new Date())
const views = createViews()
const pdf = new PdfPrinter({ executablePath: config.chromiumPath })

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function bench(label: string, planId: number, runs: number) {
  const options = { madeAt: new Date('2026-11-23T09:00:00Z') }
  await makeReportPdf({ db, views, pdf }, planId, options) // warm the browser and the template cache
  const full: number[] = []
  const prints: number[] = []
  let last: Uint8Array = new Uint8Array()
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const made = await makeReportPdf({ db, views, pdf }, planId, options)
    full.push(performance.now() - start)
    prints.push(made?.prints ?? 0)
    last = made?.pdf ?? last
  }
  // The yardstick: the final HTML, page numbers already in it, printed once.
  const data = await buildReportData(db, planId, options)
  if (!data) throw new Error(`No plan ${planId}`)
  const landed = namedDestinationPages(await loadPdf(last))
  const finalHtml = (await renderReportHtml(views, data)).replace(
    /data-page-of="([^"]+)"><\/span>/g,
    (_, id: string) => `data-page-of="${id}">${landed.get(id)}</span>`,
  )
  const once: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await pdf.printOnce(finalHtml)
    once.push(performance.now() - start)
  }
  const measures = data.risks.reduce((n, risk) => n + risk.measures.length, 0)
  const ratio = median(full) / median(once)
  console.log(
    `${label.padEnd(22)} ${String(measures).padStart(5)} measures ${String(landed.size).padStart(5)} headings ` +
      `| finished PDF ${median(full).toFixed(0).padStart(6)} ms (prints per PDF: ${prints.join(',')}) ` +
      `| one print of final HTML ${median(once).toFixed(0).padStart(6)} ms | ratio ${ratio.toFixed(2)}`,
  )
}

try {
  const demoPlan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
  console.log(`Median of several runs each, warm Chromium (${config.chromiumPath}).`)
  await bench('Demo plan (Malmö 2020)', demoPlan.id, 7)
  await bench('Generated plan', (await aBigPlan(db, { risks: 150 })).planId, 3)
} finally {
  await pdf.close()
  await db.destroy()
}
