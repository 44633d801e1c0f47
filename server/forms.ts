import { z } from 'zod'

// Form fields arrive as strings; these builders turn them into typed values or Swedish messages.

/**
 * zod's own messages are English ("Too big: expected string to have <=200 characters"); a rule given no message
 * of its own gets a Swedish one instead, so that no form, today's or tomorrow's, can show a person English.
 */
function swedishMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const most = issue.code === 'too_big'
    const limit = String(most ? issue.maximum : issue.minimum)
    if (issue.origin === 'string') {
      if (!most && limit === '1') return 'Fyll i fältet.'
      return most ? `Texten får vara högst ${limit} tecken lång.` : `Texten ska vara minst ${limit} tecken lång.`
    }
    if (issue.origin === 'array' || issue.origin === 'set') return `Välj ${most ? 'högst' : 'minst'} ${limit}.`
    if (issue.origin === 'number') return `Ange ett tal som är ${most ? 'högst' : 'minst'} ${limit}.`
  }
  return 'Värdet kan inte användas. Rätta det och försök igen.'
}
z.config({ customError: swedishMessage })

export type FieldErrors = Record<string, string>
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors }

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const result = schema.safeParse(body ?? {})
  if (result.success) return { ok: true, value: result.data }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '')
    errors[field] ??= issue.message
  }
  return { ok: false, errors }
}

/** Parses a form, then checks the rules that need the database on input that parsed. */
export async function validateForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
  check: (value: z.output<S>) => Promise<FieldErrors>,
): Promise<FormResult<z.output<S>>> {
  const parsed = parseForm(schema, body)
  if (!parsed.ok) return parsed
  const errors = await check(parsed.value)
  return Object.keys(errors).length > 0 ? { ok: false, errors } : parsed
}

/**
 * A refused form's messages in the order of its fields: the rules that compare fields run after those of each
 * field, yet the error summary should read top to bottom like the form.
 */
export function inOrderOf(fields: Record<string, unknown>, errors: FieldErrors): FieldErrors {
  const order = Object.keys(fields)
  const place = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length)
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => place(a) - place(b)))
}

/**
 * What a form page needs: the values to show (the user's own input after a failed post) and the
 * messages, both beside each field and listed at the top in field order (zod reports in shape order).
 */
export function formState(values: Record<string, unknown>, errors: FieldErrors = {}) {
  return {
    values,
    errors,
    errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
  }
}

// Characters XML 1.0 cannot hold: C0 controls but tab and line ends, U+FFFE, U+FFFF and lone surrogates.
const unstorable = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/**
 * Text without the characters that break the exports (an .xlsx is XML; a NUL makes a CSV read as binary). They
 * are removed rather than refused: they are invisible, so a person could not see what to correct.
 */
export const storable = (value: string) => value.replace(unstorable, '')

/** Any form field as trimmed, storable text with Unix line ends; a missing or repeated field counts as empty. */
export const text = z.preprocess(
  (v) => (typeof v === 'string' ? storable(v).replace(/\r\n/g, '\n').trim() : ''),
  z.string(),
)

export const requiredText = (missing: string, max = 300) =>
  text.pipe(z.string().min(1, missing).max(max, `Texten får vara högst ${max} tecken lång.`))

/**
 * A password chosen by a person, exactly as typed: nothing trimmed or removed. Its rules, which need the account's
 * e-mail, are server/auth/password-rules.ts.
 */
export const newPassword = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string())

export const optionalText = (max = 20000) => text.pipe(z.string().max(max, `Texten får vara högst ${max} tecken lång.`))

const isDate = (v: string) => {
  const d = new Date(`${v}T00:00:00Z`)
  return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}
const dateMessage = { message: 'Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.' }

export const optionalDate = text.pipe(
  z
    .string()
    .refine((v) => v === '' || isDate(v), dateMessage)
    .transform((v) => (v === '' ? null : v)),
)

export const requiredDate = (missing: string) => text.pipe(z.string().min(1, missing).refine(isDate, dateMessage))

/** A checkbox: a browser sends "on" for a checked one and nothing for the others. */
export const checkbox = z.preprocess((v) => v === 'on', z.boolean())

/** Minutes paragraph: "137" or "§137". */
export const optionalParagraph = text.pipe(
  z
    .string()
    .transform((v) => v.replace(/^§\s*/, ''))
    .refine((v) => v === '' || /^\d{1,5}$/.test(v), {
      message: 'Ange paragrafen som ett heltal, till exempel 137.',
    })
    .transform((v) => (v === '' ? null : Number(v))),
)

export const oneOf = <C extends string>(list: readonly { code: C }[], message: string) =>
  text.pipe(z.string().refine((v): v is C => list.some((item) => item.code === v), { message })) as z.ZodType<C>

/** A value 1–4 on the risk scale, or empty when not yet assessed. */
export const optionalScaleStep = (message: string) =>
  text.pipe(
    z
      .string()
      .refine((v) => v === '' || /^[1-4]$/.test(v), { message })
      .transform((v) => (v === '' ? null : Number(v))),
  )

/** An id chosen from a list on the page; whether it exists is checked against the database by the route. */
export const chosenId = (message: string) =>
  text.pipe(
    z
      .string()
      .refine((v) => /^\d{1,10}$/.test(v), { message })
      .transform(Number),
  )

export const optionalChosenId = text.pipe(
  z
    .string()
    .refine((v) => v === '' || /^\d{1,10}$/.test(v), { message: 'Välj ett alternativ i listan.' })
    .transform((v) => (v === '' ? null : Number(v))),
)

/** The version of the record an edit form was based on; missing counts as outdated (see server/versioned.ts). */
export const baseVersion = text.pipe(z.string().transform((v) => (/^\d{1,10}$/.test(v) ? Number(v) : 0)))

/** One query parameter: absent counts as empty; one given twice (an array) is not a valid choice either. */
export const queryParam = <T>(message: string, valid: (v: string) => boolean, value: (v: string) => T) =>
  z.preprocess(
    (v) => (v === undefined ? '' : typeof v === 'string' ? v.trim() : v),
    z.string({ message }).refine(valid, { message }).transform(value),
  )
