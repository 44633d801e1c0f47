import { readFileSync } from 'node:fs'
import type { ExpressHandlebars } from 'express-handlebars'
import { viewsDir } from '../server/views.js'
import type { ReportData } from './build-data.js'

// The printed page must not fetch anything, so its stylesheet is inlined (read once).
const css = readFileSync(`${viewsDir}/assets/report.css`, 'utf8')

/** A print template of views/reports/ as one self-contained HTML document. */
export function renderPrintHtml(views: ExpressHandlebars, template: string, data: object): Promise<string> {
  return views.renderView(`${viewsDir}/reports/${template}.hbs`, { ...data, css, layout: false, cache: true } as never)
}

/** The whole report as one self-contained HTML document, its table of contents still without page numbers. */
export function renderReportHtml(views: ExpressHandlebars, data: ReportData): Promise<string> {
  return renderPrintHtml(views, 'document', data)
}
