import type { ExpressHandlebars } from 'express-handlebars'
import type { Db } from '../db/connection.js'
import { buildReportData, type ReportData, type ReportEdition } from './build-data.js'
import { renderReportHtml } from './render-html.js'
import type { PdfPrinter } from './render-pdf.js'

export interface ReportDeps {
  db: Db
  views: ExpressHandlebars
  pdf: PdfPrinter
}

/** The plan's follow-up report as a finished PDF; undefined when there is no such plan. */
export async function makeReportPdf(
  { db, views, pdf }: ReportDeps,
  planId: number,
  edition: ReportEdition,
): Promise<{ data: ReportData; pdf: Uint8Array; prints: number } | undefined> {
  const data = await buildReportData(db, planId, edition)
  if (!data) return undefined
  const printed = await pdf.printWithPageNumbers(await renderReportHtml(views, data), {
    title: `${data.title} – ${data.committee}`,
    author: data.committee,
    subject: data.edition,
  })
  return { data, ...printed }
}

/** "Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden (utkast).pdf" */
export function reportFileName(data: ReportData, suffix: string): string {
  return `${data.title} – ${data.committee} (${suffix}).pdf`
}
