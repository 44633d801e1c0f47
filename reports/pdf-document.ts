import {
  ParseSpeeds,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFRef,
  PDFString,
} from 'pdf-lib'

// Reads and mends what Chromium wrote into a printed PDF.

export function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  return PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest })
}

const deref = (doc: PDFDocument, o: PDFObject | undefined) => (o instanceof PDFRef ? doc.context.lookup(o) : o)
const textOf = (o: PDFObject | undefined) =>
  o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : undefined

/**
 * The page (1-based) of each named destination. Chromium writes every `<a href="#id">` target as a named
 * destination, so this tells on which page each heading of the table of contents really landed.
 */
export function namedDestinationPages(doc: PDFDocument): Map<string, number> {
  const pageIndex = new Map(doc.getPages().map((page, index) => [page.ref.toString(), index + 1]))
  const pages = new Map<string, number>()
  const dests = deref(doc, doc.catalog.get(PDFName.of('Dests')))
  if (!(dests instanceof PDFDict)) return pages
  for (const [key, value] of dests.entries()) {
    let dest = deref(doc, value)
    if (dest instanceof PDFDict) dest = deref(doc, dest.get(PDFName.of('D')))
    const page = dest instanceof PDFArray ? pageIndex.get(String(dest.get(0))) : undefined
    if (page !== undefined) pages.set(key.decodeText(), page)
  }
  return pages
}

/** The bookmarks, depth first. */
export function outlineItems(doc: PDFDocument): { ref: PDFRef; item: PDFDict; title: string }[] {
  const items: { ref: PDFRef; item: PDFDict; title: string }[] = []
  const walk = (first: PDFObject | undefined) => {
    for (let ref = first; ref instanceof PDFRef; ) {
      const item = doc.context.lookup(ref)
      if (!(item instanceof PDFDict)) break
      items.push({ ref, item, title: textOf(deref(doc, item.get(PDFName.of('Title')))) ?? '' })
      walk(item.get(PDFName.of('First')))
      ref = item.get(PDFName.of('Next'))
    }
  }
  const outlines = deref(doc, doc.catalog.get(PDFName.of('Outlines')))
  if (outlines instanceof PDFDict) walk(outlines.get(PDFName.of('First')))
  return items
}

/**
 * Chromium titles each bookmark with its heading's printed lines joined without the space where a line
 * wrapped ("skattelagstiftningkopplat"); this puts back the heading's own text. Returns the bookmarks changed.
 */
export function repairOutlineTitles(doc: PDFDocument, headings: string[]): PDFRef[] {
  const bare = (s: string) => s.replace(/\s+/g, '')
  const byBareText = new Map(headings.map((h) => [bare(h), h]))
  const changed: PDFRef[] = []
  for (const { ref, item, title } of outlineItems(doc)) {
    const heading = byBareText.get(bare(title))
    if (heading && heading !== title) {
      item.set(PDFName.of('Title'), PDFHexString.fromText(heading))
      changed.push(ref)
    }
  }
  return changed
}

/** What the PDF's document information says; what is left out stays as Chromium wrote it. */
export interface DocumentInfo {
  title?: string
  author?: string
  subject?: string
}

/**
 * Names the app as the PDF's creator (Chromium writes its user agent there) and sets the given entries.
 * Returns the changed information dictionary.
 */
export function setDocumentInfo(doc: PDFDocument, info: DocumentInfo): PDFRef[] {
  doc.setCreator('Internkontroll')
  if (info.title !== undefined) doc.setTitle(info.title)
  if (info.author !== undefined) doc.setAuthor(info.author)
  if (info.subject !== undefined) doc.setSubject(info.subject)
  const ref = doc.context.trailerInfo.Info
  if (ref instanceof PDFRef) return [ref]
  // A dictionary written into the trailer itself becomes an object of the update, which the trailer points at.
  doc.context.trailerInfo.Info = doc.context.register(ref as PDFDict)
  return [doc.context.trailerInfo.Info as PDFRef]
}

/**
 * Appends the changed objects to the original bytes as an incremental update (PDF 1.7, 7.5.6): everything
 * Chromium wrote stays as it was, and rewriting a thousand-page report costs nothing.
 */
export function appendUpdate(original: Uint8Array, doc: PDFDocument, changed: PDFRef[]): Uint8Array {
  if (changed.length === 0) return original
  const tail = Buffer.from(original.subarray(Math.max(0, original.length - 1024))).toString('latin1')
  const previous = tail.match(/startxref\s+(\d+)\s+%%EOF\s*$/)?.[1]
  if (!previous) throw new Error('The PDF has no cross-reference offset to update from')
  const chunks: string[] = ['\n']
  const offsets: [PDFRef, number][] = []
  let offset = original.length + 1
  for (const ref of [...changed].sort((a, b) => a.objectNumber - b.objectNumber)) {
    const body = `${ref.objectNumber} ${ref.generationNumber} obj\n${doc.context.lookup(ref)?.toString()}\nendobj\n`
    offsets.push([ref, offset])
    chunks.push(body)
    offset += Buffer.byteLength(body, 'latin1')
  }
  const xref = offsets
    .map(
      ([ref, at]) =>
        `${ref.objectNumber} 1\n${String(at).padStart(10, '0')} ${String(ref.generationNumber).padStart(5, '0')} n \n`,
    )
    .join('')
  // An update's trailer repeats every entry of the previous one (/ID, /Info, /Encrypt) besides its own.
  const { Root, Info, ID, Encrypt } = doc.context.trailerInfo
  const entries = [`/Root ${Root}`, Info && `/Info ${Info}`, ID && `/ID ${ID}`, Encrypt && `/Encrypt ${Encrypt}`]
  chunks.push(
    `xref\n${xref}trailer\n<< /Size ${doc.context.largestObjectNumber + 1} ${entries.filter(Boolean).join(' ')}` +
      ` /Prev ${previous} >>\nstartxref\n${offset}\n%%EOF\n`,
  )
  return Buffer.concat([original, Buffer.from(chunks.join(''), 'latin1')])
}

export function documentLanguage(doc: PDFDocument): string | undefined {
  return textOf(deref(doc, doc.catalog.get(PDFName.of('Lang'))))
}
