import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as cheerio from 'cheerio'

/** Runs a poppler tool (pdftotext, pdfinfo, pdffonts) on the bytes, as a reader's tools would see the file. */
function poppler(tool: string, pdf: Uint8Array, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-pdf-'))
  try {
    const file = join(dir, 'report.pdf')
    writeFileSync(file, pdf)
    // A report of several hundred pages reads as many megabytes of text.
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The text of each page, in reading order. */
export function pageTexts(pdf: Uint8Array, layout = false): string[] {
  return poppler('pdftotext', pdf, layout ? ['-layout'] : [])
    .split('\f')
    .slice(0, -1)
}

export interface PdfWord {
  text: string
  /** Left edge, in points from the page's left. */
  x: number
}

/** The words of each page where they are printed, to check what lines up on paper. */
export function pageWords(pdf: Uint8Array): PdfWord[][] {
  const $ = cheerio.load(poppler('pdftotext', pdf, ['-bbox']), { xml: true })
  return $('page')
    .map((_, page) => [
      $(page)
        .find('word')
        .map((_, word) => ({ text: $(word).text(), x: Number($(word).attr('xMin')) }))
        .get(),
    ])
    .get()
}

export function pdfInfo(pdf: Uint8Array): Record<string, string> {
  const lines = poppler('pdfinfo', pdf, []).split('\n')
  return Object.fromEntries(
    lines.filter((l) => l.includes(':')).map((l) => [l.split(':')[0]?.trim(), l.slice(l.indexOf(':') + 1).trim()]),
  )
}

export function pdfFonts(pdf: Uint8Array): string {
  return poppler('pdffonts', pdf, [])
}

export const squash = (text: string) => text.replace(/\s+/g, ' ').trim()
