import { readFileSync } from 'node:fs'
import type { ExpressHandlebars } from 'express-handlebars'
import { viewsDir } from '../server/views.js'
import type { ReportData } from './build-data.js'

// The printed page must not fetch anything, so its stylesheet is inlined (read once).
const css = readFileSync(`${viewsDir}/assets/report.css`, 'utf8')

/** The whole report as one self-contained HTML document, its table of contents still without page numbers. */
export function renderReportHtml(views: ExpressHandlebars, data: ReportData): Promise<string> {
  return views.renderView(`${viewsDir}/reports/document.hbs`, {
    ...data,
    css,
    layout: false,
    cache: true,
  } as never)
}
