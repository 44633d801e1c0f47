import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, submitForm } from '../test/helpers/test-app.js'
import { formState, optionalDate, optionalParagraph, optionalText, parseForm, requiredText } from './forms.js'

const schema = z.object({
  title: requiredText('Ange rubrik.', 10),
  date: optionalDate,
  paragraph: optionalParagraph,
})

describe('parseForm', () => {
  it('trims text and turns empty optional fields into null', () => {
    expect(parseForm(schema, { title: '  Risk  ', date: '', paragraph: ' ' })).toEqual({
      ok: true,
      value: { title: 'Risk', date: null, paragraph: null },
    })
  })

  it('accepts "§137" as well as "137" for a minutes paragraph', () => {
    const result = parseForm(schema, { title: 'R', date: '2020-09-23', paragraph: '§137' })
    expect(result).toEqual({ ok: true, value: { title: 'R', date: '2020-09-23', paragraph: 137 } })
  })

  it('gives one Swedish message per field, in field order', () => {
    const result = parseForm(schema, { title: '', date: '2020-02-30', paragraph: 'paragraf sju' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors).toEqual({
      title: 'Ange rubrik.',
      date: 'Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.',
      paragraph: 'Ange paragrafen som ett heltal, till exempel 137.',
    })
    expect(formState({}, result.errors).errorList.map((e) => e.field)).toEqual(['title', 'date', 'paragraph'])
  })

  it('rejects text over the limit and a missing field as missing', () => {
    const result = parseForm(schema, { title: 'x'.repeat(11) })
    expect(result).toEqual({ ok: false, errors: { title: 'Texten får vara högst 10 tecken lång.' } })
    expect(parseForm(schema, {})).toEqual({ ok: false, errors: { title: 'Ange rubrik.' } })
  })

  it('gives a Swedish message also for a rule written without one', () => {
    const bare = z.object({
      name: z.string().max(3),
      code: z.string().min(2),
      note: z.string().min(1),
      count: z.coerce.number().max(10),
      choices: z.array(z.string()).max(1),
      kind: z.enum(['a', 'b']),
      email: z.email(),
    })
    const result = parseForm(bare, { name: 'Anna', code: 'x', note: '', count: '11', choices: ['a', 'b'], kind: 'c' })
    expect(result).toEqual({
      ok: false,
      errors: {
        name: 'Texten får vara högst 3 tecken lång.',
        code: 'Texten ska vara minst 2 tecken lång.',
        note: 'Fyll i fältet.',
        count: 'Ange ett tal som är högst 10.',
        choices: 'Välj högst 1.',
        kind: 'Värdet kan inte användas. Rätta det och försök igen.',
        email: 'Värdet kan inte användas. Rätta det och försök igen.',
      },
    })
  })
})

// Invisible characters an .xlsx (XML) cannot hold, and a NUL, which makes a CSV read as binary.
const unstorable = '\u0000\u0001\u0008\u000b\u000c\u001f\ufffe\uffff\udfff\ud800'

describe('text', () => {
  it('drops control characters, U+FFFE, U+FFFF and lone surrogates, keeping tabs, line breaks, emoji and åäö', () => {
    const result = parseForm(z.object({ note: optionalText() }), {
      note: `${unstorable} Rad 1\tå${unstorable}ä\r\nRad 2 \ud83d\ude00 ö${unstorable}`,
    })
    expect(result).toEqual({ ok: true, value: { note: 'Rad 1\tåä\nRad 2 \ud83d\ude00 ö' } })
  })

  it('posted with a NUL and U+FFFE in a measure’s progress is stored and shown without them', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const measure = await db.selectFrom('measure').select('id').executeTakeFirstOrThrow()
    const page = `/planer/${planId}/atgarder/${measure.id}`
    const progress = `Rutinen\u0000 är\ufffe reviderad\uffff.`
    await submitForm(agent, `${page}/uppdatera`, { status: 'in_progress', progress, dueDate: '' }, 303)
    const stored = await db
      .selectFrom('measure')
      .select('progress')
      .where('id', '=', measure.id)
      .executeTakeFirstOrThrow()
    expect(stored.progress).toBe('Rutinen är reviderad.')
    expect(html((await agent.get(page).expect(200)).text)('main').text()).toContain('Rutinen är reviderad.')
  })
})
