import { PDFDocument, PDFHexString, PDFName } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { appendUpdate, loadPdf, outlineItems, repairOutlineTitles } from './pdf-document.js'

/** A small PDF with one bookmark whose title lost its space, as Chromium writes them, and a file ID. */
async function pdfWithGluedBookmark(): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const page = doc.addPage()
  const item = doc.context.obj({ Title: PDFHexString.fromText('Risk: Röjande avsekretess'), Dest: [page.ref] })
  const itemRef = doc.context.register(item)
  const outlines = doc.context.register(doc.context.obj({ Type: 'Outlines', First: itemRef, Last: itemRef, Count: 1 }))
  item.set(PDFName.of('Parent'), outlines)
  doc.catalog.set(PDFName.of('Outlines'), outlines)
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of('00ff'), PDFHexString.of('00ff')])
  return doc.save({ useObjectStreams: false })
}

/** Every entry of the last cross-reference section must point at the start of its object. */
function checkLastXref(bytes: Uint8Array) {
  const text = Buffer.from(bytes).toString('latin1')
  const start = Number(text.match(/startxref\s+(\d+)\s+%%EOF\s*$/)?.[1])
  expect(text.slice(start, start + 4)).toBe('xref')
  const section = text.slice(start, text.indexOf('trailer', start))
  for (const [, first, , rest] of section.matchAll(/(\d+) (\d+)\n((?:\d{10} \d{5} [nf] \n)+)/g)) {
    rest
      ?.split('\n')
      .filter(Boolean)
      .forEach((entry, i) => {
        const offset = Number(entry.slice(0, 10))
        expect(text.slice(offset).startsWith(`${Number(first) + i} 0 obj`)).toBe(true)
      })
  }
  return text.slice(text.indexOf('trailer', start))
}

describe('appendUpdate', () => {
  it('mends a glued bookmark title in an update that keeps the original bytes and the file ID', async () => {
    const original = await pdfWithGluedBookmark()
    const doc = await loadPdf(original)
    const changed = repairOutlineTitles(doc, ['Risk: Röjande av sekretess'])
    expect(changed).toHaveLength(1)
    const updated = appendUpdate(original, doc, changed)

    expect(Buffer.from(updated.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true)
    const trailer = checkLastXref(updated)
    expect(trailer).toMatch(/\/ID \[ ?<00FF> ?<00FF> ?\]/i)
    expect(trailer).toMatch(/\/Root \d+ 0 R/)
    expect(outlineItems(await loadPdf(updated)).map((o) => o.title)).toEqual(['Risk: Röjande av sekretess'])
  })

  it('leaves a PDF with nothing to mend untouched', async () => {
    const original = await pdfWithGluedBookmark()
    const doc = await loadPdf(original)
    expect(appendUpdate(original, doc, repairOutlineTitles(doc, ['Något annat']))).toBe(original)
  })
})
