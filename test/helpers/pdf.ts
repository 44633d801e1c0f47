import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs a poppler tool (pdftotext, pdfinfo, pdffonts) on the bytes, as a reader's tools would see the file. */
function poppler(tool: string, pdf: Uint8Array, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-pdf-'))
  try {
    const file = join(dir, 'report.pdf')
    writeFileSync(file, pdf)
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' })
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

/** The words of one page (1-based) with their boxes in points from the page's top left, as pdftotext -bbox reads them. */
export function pageWords(pdf: Uint8Array, page: number): { text: string; x: number; y: number }[] {
  const xhtml = poppler('pdftotext', pdf, ['-bbox', '-f', String(page), '-l', String(page)])
  return [...xhtml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map(([, x, y, text]) => ({
    text: (text ?? '')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"'),
    x: Number(x),
    y: Number(y),
  }))
}
