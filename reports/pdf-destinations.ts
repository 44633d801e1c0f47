import { PDFArray, PDFDict, PDFDocument, PDFName, type PDFObject, PDFRef } from 'pdf-lib'

/**
 * The page (1-based) of each named destination in a PDF. Chromium writes every `<a href="#id">` target as
 * a named destination, so this tells on which page each heading of the table of contents really landed.
 */
export async function namedDestinationPages(pdf: Uint8Array): Promise<Map<string, number>> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false })
  const pageIndex = new Map(doc.getPages().map((page, index) => [page.ref.toString(), index + 1]))
  const pages = new Map<string, number>()
  const deref = (o: PDFObject | undefined) => (o instanceof PDFRef ? doc.context.lookup(o) : o)

  const record = (name: string, value: PDFObject | undefined) => {
    let dest = deref(value)
    if (dest instanceof PDFDict) dest = deref(dest.get(PDFName.of('D')))
    if (!(dest instanceof PDFArray)) return
    const page = pageIndex.get(String(dest.get(0)))
    if (page !== undefined) pages.set(name, page)
  }

  // Chromium writes them as a /Dests dictionary in the catalog.
  const dests = deref(doc.catalog.get(PDFName.of('Dests')))
  if (dests instanceof PDFDict) {
    for (const [key, value] of dests.entries()) record(key.decodeText(), value)
  }
  return pages
}
