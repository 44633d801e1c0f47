import type { Response } from 'express'

/**
 * Set on a PDF's download, for views/assets/app.js: the download leaves the page in place, so this is how the
 * page learns that the PDF has arrived and the link need no longer say "Skapar PDF…".
 */
export const pdfReadyCookie = 'ik_pdf_ready'

/** Sends a PDF as a download, and tells the page it was asked from that it has arrived. */
export function sendPdfDownload(res: Response, bytes: Uint8Array, fileName: string, secure: boolean): void {
  res.cookie(pdfReadyCookie, '1', { path: '/', sameSite: 'strict', secure, maxAge: 60_000 })
  res.attachment(fileName.replace(/[/\\]/g, '-')).type('application/pdf').send(Buffer.from(bytes))
}

/**
 * Sends a final version's stored PDF, byte for byte: its SHA-256 is its ETag and, as the bytes never change, the
 * browser may keep it for a year.
 */
export function sendStoredPdf(res: Response, version: { sha256: string; file_name: string; pdf: Uint8Array }): void {
  res.set('ETag', `"${version.sha256}"`)
  res.set('Cache-Control', 'private, max-age=31536000, immutable')
  res.attachment(version.file_name).type('application/pdf').send(Buffer.from(version.pdf))
}

/** The page a PDF is asked from: the page saying that the printer is busy (views/errors/unavailable.hbs) leads back to it. */
export function pdfAskedFrom(res: Response, href: string, text: string): void {
  res.locals.back = { href, text }
}
