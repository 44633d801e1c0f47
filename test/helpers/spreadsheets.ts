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
