import { z } from 'zod'
import { baseVersion, oneOf, optionalText, requiredText, text } from '../forms.js'
import { municipalItemKinds, riskTreatments } from '../vocabulary.js'

export const itemKinds = municipalItemKinds

// Checkboxes arrive as one value or several; none at all is no field.
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

export const itemForm = z
  .object({
    kind: oneOf(itemKinds, 'Välj om det är en granskning eller en risk.'),
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
