// Holds the API's answers to server/api/openapi.json: each response's body must match the schema its path, method,
// status and content type name there, with every `$ref` into the components resolved.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'

// ajv-formats is CommonJS whose module is the plugin itself; TypeScript sees the plugin as its `default`.
const addFormats = formats.default

type Json = Record<string, unknown>

export const openapi = JSON.parse(
  readFileSync(new URL('../../server/api/openapi.json', import.meta.url), 'utf8'),
) as Json & { paths: Record<string, Record<string, Json>>; components: Json & { schemas: Record<string, unknown> } }

/** `#/components/responses/NotFound` → that object of the document. */
function resolve(value: unknown): Json {
  const pointer = (value as { $ref?: unknown }).$ref
  if (typeof pointer !== 'string') return value as Json
  if (!pointer.startsWith('#/')) throw new Error(`Only references within the document are resolved: ${pointer}`)
  const found = pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], openapi)
  if (found === undefined) throw new Error(`${pointer} is not in openapi.json`)
  return resolve(found)
}

/** The schema with its references to `#/components/schemas/…` pointing into its own `$defs`, which hold them all. */
function standalone(schema: unknown): Json {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite)
    if (node === null || typeof node !== 'object') return node
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string'
          ? value.replace('#/components/schemas/', '#/$defs/')
          : rewrite(value),
      ]),
    )
  }
  return { ...(rewrite(schema) as Json), $defs: rewrite(openapi.components.schemas) }
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
addFormats(ajv)
// The plan's document is open data's, and openapi.json refers to its schema by the path it is served at, the
// schema's own $id.
export const planSchema = JSON.parse(
  readFileSync(new URL('../../server/open-data/plan.schema.json', import.meta.url), 'utf8'),
) as { $id: string }
ajv.addSchema(planSchema)
const compiled = new Map<string, ReturnType<typeof ajv.compile>>()

/** The document's schema for an answer: e.g. ('/plans/{planId}', 'get', 404, 'application/problem+json'). */
export function responseSchema(path: string, method: string, status: number, contentType: string) {
  const operation = openapi.paths[path]?.[method]
  if (!operation) throw new Error(`openapi.json has no ${method.toUpperCase()} ${path}`)
  const responses = operation.responses as Record<string, unknown>
  const response = responses[String(status)]
  if (!response) throw new Error(`openapi.json has no ${status} for ${method.toUpperCase()} ${path}`)
  const content = resolve(response).content as Record<string, { schema: unknown }> | undefined
  const media = content?.[contentType]
  if (!media) throw new Error(`openapi.json has no ${contentType} for ${status} of ${method.toUpperCase()} ${path}`)
  return media.schema
}

/**
 * Fails unless the response is documented for its status and content type and its body matches that schema.
 * `path` is the document's template, e.g. '/plans/{planId}/measures'.
 */
export function expectDocumented(
  response: { status: number; headers: Record<string, string>; body: unknown; text: string },
  path: string,
  method = 'get',
): void {
  const contentType = String(response.headers['content-type'] ?? '').split(';')[0] as string
  const key = `${method} ${path} ${response.status} ${contentType}`
  let validate = compiled.get(key)
  if (!validate) {
    validate = ajv.compile(standalone(responseSchema(path, method, response.status, contentType)))
    compiled.set(key, validate)
  }
  // supertest parses only application/json; a problem's body is read from its text.
  const body = contentType === 'application/json' ? response.body : JSON.parse(response.text)
  if (!validate(body)) {
    throw new Error(
      `${key} does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 1500)}`,
    )
  }
}
