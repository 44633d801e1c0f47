import { z } from 'zod'
import { baseVersion, oneOf, optionalText, requiredText, text } from '../forms.js'
import { municipalItemKinds, riskTreatments } from '../vocabulary.js'

// Checkboxes arrive as one value or several; none at all is no field.
export const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** "3,5": the committees the edit form was opened with, carried in a hidden field; null when absent or unreadable. */
const shownList = text.pipe(
  z.string().transform((v) =>
    /^\d{1,10}(,\d{1,10})*$/.test(v)
      ? v
          .split(',')
          .map(Number)
          .sort((a, b) => a - b)
      : null,
  ),
)

export const itemForm = z
  .object({
    kind: oneOf(municipalItemKinds, 'Välj om det är en granskning eller en risk.'),
    title: requiredText('Ange rubriken.'),
    description: optionalText(),
    treatment: oneOf(riskTreatments, 'Välj hur risken ska hanteras.'),
    diaryNumber: text.pipe(z.string().max(60, 'Diarienumret får vara högst 60 tecken långt.')),
    committees: z.preprocess(
      asList,
      z
        .array(
          z
            .string()
            .regex(/^\d{1,10}$/, 'Välj nämnder och bolag i listan.')
            .transform(Number),
        )
        .min(1, 'Välj minst en nämnd eller ett bolag som posten gäller.')
        .transform((list) => [...new Set(list)].sort((a, b) => a - b)),
    ),
    originalCommittees: shownList,
    version: baseVersion,
  })
  .superRefine((v, ctx) => {
    // A review is how a risk is treated by reviewing it: the plan's risk says so too.
    if (v.kind === 'review' && v.treatment !== 'review') {
      ctx.addIssue({
        code: 'custom',
        path: ['treatment'],
        message: 'En kommungemensam granskning har riskhanteringen Granskning.',
      })
    }
  })

export type ItemForm = z.output<typeof itemForm>
