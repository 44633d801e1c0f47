import { crc32, createDeflateRaw } from 'node:zlib'
import ExcelJS from 'exceljs'
import type { Response } from 'supertest'
import { html, type TestAgent } from './test-app.js'

/** A response body as bytes (supertest buffers text only). */
export const asBytes = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  res.on('data', (chunk: Buffer) => chunks.push(chunk))
  res.on('end', () => done(null, Buffer.concat(chunks)))
}

export async function download(agent: TestAgent, path: string): Promise<Buffer> {
  const res = await agent.get(path).buffer(true).parse(asBytes).expect(200)
  return res.body as Buffer
}

/**
 * Sends the upload form as a browser does (multipart, its fields before the file), with the demo committee
 * and the given year and title unless told otherwise.
 */
export async function uploadFile(
  agent: TestAgent,
  file: { bytes: Uint8Array; name: string } | null,
  fields: Record<string, string> = {},
) {
  const $ = html((await agent.get('/planer/importera').expect(200)).text)
  const values: Record<string, string> = {
    _csrf: String($('input[name="_csrf"]').val()),
    committeeId: String($('#field-committeeId option').first().val()),
    year: '2021',
    title: 'Internkontrollplan 2021',
    ...fields,
  }
  let request = agent.post('/planer/importera')
  for (const [name, value] of Object.entries(values)) request = request.field(name, value)
  if (file) request = request.attach('file', Buffer.from(file.bytes), file.name)
  return request
}

/** Every field of a page's form as the browser would post it: hidden inputs, chosen options, ticked boxes. */
export function formFields(page: string, overrides: Record<string, string | string[]> = {}) {
  const $ = html(page)
  const form = $('main form[method="post"]').last()
  const fields: Record<string, string | string[]> = {}
  form.find('input[type="hidden"]').each((_, e) => {
    fields[String($(e).attr('name'))] = String($(e).val())
  })
  form.find('select').each((_, e) => {
    fields[String($(e).attr('name'))] = String($(e).find('option[selected]').val() ?? '')
  })
  form.find('input[type="checkbox"][checked]').each((_, e) => {
    const name = String($(e).attr('name'))
    fields[name] = [...((fields[name] as string[] | undefined) ?? []), String($(e).val())]
  })
  return { action: String(form.attr('action')), fields: { ...fields, ...overrides } }
}

/** Upload, the mapping as guessed (or changed), and the preview: the preview's page. */
export async function uploadAndMap(
  agent: TestAgent,
  file: { bytes: Uint8Array; name: string },
  changes: Record<string, string> = {},
) {
  const uploaded = await uploadFile(agent, file)
  if (uploaded.status !== 303) throw new Error(`Upload answered ${uploaded.status}: ${uploaded.text.slice(0, 3000)}`)
  const mappingPage = String(uploaded.headers.location)
  const mapping = formFields((await agent.get(mappingPage).expect(200)).text, changes)
  const mapped = await agent.post(mapping.action).type('form').send(mapping.fields)
  if (mapped.status !== 303) throw new Error(`Mapping answered ${mapped.status}: ${mapped.text.slice(0, 3000)}`)
  const previewPath = String(mapped.headers.location)
  return { mappingPage, previewPath, preview: (await agent.get(previewPath).expect(200)).text }
}

/** Every cell of every sheet of a workbook, row by row, as exceljs reads it. */
export async function cellsOf(bytes: Buffer) {
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(bytes as unknown as ExcelJS.Buffer)
  return book.worksheets.map((sheet) => ({
    name: sheet.name,
    rows: Array.from({ length: sheet.rowCount }, (_, r) =>
      Array.from({ length: sheet.columnCount }, (_, c) => sheet.getRow(r + 1).getCell(c + 1).value),
    ),
  }))
}

/** The preview's problems (or warnings) as the user reads them: each distinct one, its rows and its column. */
export const problemRows = (page: string, tables = '.import-problems') => {
  const $ = html(page)
  return $(`${tables} tbody tr`)
    .map((_, tr) => [
      $(tr)
        .find('td')
        .map((__, td) => $(td).text().replace(/\s+/g, ' ').trim())
        .get(),
    ])
    .get()
}

async function deflated(parts: Iterable<Buffer>) {
  const deflate = createDeflateRaw({ level: 9 })
  const out: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => out.push(chunk))
  const ended = new Promise((resolve) => deflate.once('end', resolve))
  let crc = 0
  let size = 0
  for (const part of parts) {
    crc = crc32(part, crc)
    size += part.length
    if (!deflate.write(part)) await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await ended
  return { data: Buffer.concat(out), crc, size }
}

/** A zip archive of deflated entries, each given as parts so that a huge one never sits in memory whole. */
async function zipOf(entries: { name: string; parts: Iterable<Buffer> }[]): Promise<Buffer> {
  const local: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const { data, crc, size } = await deflated(entry.parts)
    const name = Buffer.from(entry.name)
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt16LE(8, 8)
    header.writeUInt32LE(crc >>> 0, 14)
    header.writeUInt32LE(data.length, 18)
    header.writeUInt32LE(size, 22)
    header.writeUInt16LE(name.length, 26)
    const record = Buffer.alloc(46)
    record.writeUInt32LE(0x02014b50, 0)
    record.writeUInt16LE(20, 4)
    record.writeUInt16LE(20, 6)
    record.writeUInt16LE(8, 10)
    record.writeUInt32LE(crc >>> 0, 16)
    record.writeUInt32LE(data.length, 20)
    record.writeUInt32LE(size, 24)
    record.writeUInt16LE(name.length, 28)
    record.writeUInt32LE(offset, 42)
    local.push(header, name, data)
    central.push(record, name)
    offset += header.length + name.length + data.length
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(
    central.reduce((n, b) => n + b.length, 0),
    12,
  )
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...local, ...central, end])
}

const ooxml = 'http://schemas.openxmlformats.org'

/** A well-formed workbook whose one cell unpacks to `megabytes` MB: a few hundred kB to upload. */
export async function zipBomb(megabytes: number) {
  function* sheet() {
    yield Buffer.from(
      `<?xml version="1.0"?><worksheet xmlns="${ooxml}/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`,
    )
    const megabyte = Buffer.alloc(1024 * 1024, 0x41)
    for (let i = 0; i < megabytes; i++) yield megabyte
    yield Buffer.from('</t></is></c></row></sheetData></worksheet>')
  }
  const text = (xml: string) => [Buffer.from(`<?xml version="1.0"?>${xml}`)]
  const relationship = (type: string, target: string) =>
    `<Relationships xmlns="${ooxml}/package/2006/relationships"><Relationship Id="rId1" Type="${ooxml}/officeDocument/2006/relationships/${type}" Target="${target}"/></Relationships>`
  const bytes = await zipOf([
    {
      name: '[Content_Types].xml',
      parts: text(
        `<Types xmlns="${ooxml}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
    },
    { name: '_rels/.rels', parts: text(relationship('officeDocument', 'xl/workbook.xml')) },
    {
      name: 'xl/workbook.xml',
      parts: text(
        `<workbook xmlns="${ooxml}/spreadsheetml/2006/main" xmlns:r="${ooxml}/officeDocument/2006/relationships"><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    { name: 'xl/_rels/workbook.xml.rels', parts: text(relationship('worksheet', 'worksheets/sheet1.xml')) },
    { name: 'xl/worksheets/sheet1.xml', parts: sheet() },
  ])
  return { bytes, name: 'plan.xlsx' }
}

/**
 * A sheet of 40 risks and 300 measures (rows 2–301, each repeating its risk's columns, as the export does), every
 * measure of rows 3–77 owned by the unit `unknownUnit`, which the demo administration lacks, and the status "Klar"
 * on rows 100, 101 and 150: a municipality's own plan at the size that made the preview unusable.
 */
export function generatedPlanRows(unknownUnit = 'Ekonomiavdelningen') {
  const header = ['Risk', 'Sannolikhet', 'Konsekvens', 'Åtgärd', 'Vad ska göras', 'Ansvarig', 'Status', 'Klart senast']
  const rows = Array.from({ length: 300 }, (_, i) => {
    const line = i + 2
    const risk = Math.floor((i * 40) / 300) + 1
    const owner = line >= 3 && line <= 77 ? unknownUnit : i % 2 === 0 ? 'HR-avdelningen' : 'Utbildningsområden'
    const status = [100, 101, 150].includes(line) ? 'Klar' : 'Pågående'
    return [`Risk ${risk}`, '3', '2', `Åtgärd ${i + 1}`, `Gör ${i + 1}`, owner, status, '2021-06-30']
  })
  return [header, ...rows]
}
