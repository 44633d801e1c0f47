import { PdfPrinter } from '../../reports/render-pdf.js'

/**
 * A real printer with one place and no line, and `hold()`, which takes that place with a document of some
 * hundred pages: a request made meanwhile finds the printer busy. Await what `hold()` returns before closing.
 */
export function busyPrinter() {
  const printer = new PdfPrinter({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    concurrency: 1,
    queueLimit: 0,
  })
  const hold = () =>
    printer.printOnce(`<!doctype html><title>t</title>${'<p>Rad som håller skrivaren upptagen.</p>'.repeat(4000)}`)
  return { printer, hold }
}
