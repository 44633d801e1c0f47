import { z } from 'zod'
import type { MeasureStatus } from '../../db/schema.js'
import {
  baseVersion,
  chosenId,
  oneOf,
  optionalChosenId,
  optionalDate,
  optionalText,
  queryParam,
  requiredText,
} from '../forms.js'
import { measureStatuses } from '../vocabulary.js'

const status = oneOf(measureStatuses, 'Välj en status i listan.')

export const measureForm = z.object({
  riskId: chosenId('Välj vilken risk åtgärden hör till.'),
  title: requiredText('Ange åtgärdens rubrik.'),
  whatToDo: optionalText(),
  progress: optionalText(),
  ownerUnitId: chosenId('Välj ansvarig enhet.'),
  responsiblePerson: optionalText(200),
  dueDate: optionalDate,
  status,
  originAreaId: optionalChosenId,
  // Only a new measure made from a deviation sends it; the route checks it names a deviation of the plan.
  originDeviationId: optionalChosenId,
  version: baseVersion,
})

export type MeasureForm = z.output<typeof measureForm>

/** What an owner unit reports: status, what has been done, and when it will be done. */
export const updateForm = z.object({ status, progress: optionalText(), dueDate: optionalDate, version: baseVersion })

export const statusOptions = measureStatuses.map((s) => ({ value: s.code, label: s.label }))

export const sortOrders = [
  { code: 'plan', label: 'Planens ordning' },
  { code: 'klart-senast', label: 'Klart senast, tidigast först' },
  { code: 'klart-senast-fallande', label: 'Klart senast, senast först' },
] as const

export type SortOrder = (typeof sortOrders)[number]['code']

/**
 * The measure list's filter, read from the query string so that a filtered list can be shared as a link;
 * the parameter names are Swedish since they show in that link. The unit must be one of the plan's.
 */
export const measureFilter = (unitIds: readonly number[]) =>
  z.object({
    status: queryParam(
      'Välj en status i listan.',
      (v) => v === '' || measureStatuses.some((s) => s.code === v),
      (v) => (v === '' ? null : (v as MeasureStatus)),
    ),
    enhet: queryParam(
      'Välj en ansvarig enhet i listan.',
      (v) => v === '' || unitIds.some((id) => String(id) === v),
      (v) => (v === '' ? null : Number(v)),
    ),
    forsenade: queryParam(
      'Kryssa i rutan för att bara visa försenade åtgärder, eller lämna den tom.',
      (v) => v === '' || v === 'ja',
      (v) => v === 'ja',
    ),
    sok: queryParam(
      'Skriv sökorden i rutan, högst 200 tecken.',
      (v) => v.length <= 200,
      (v) => v,
    ),
    sortering: queryParam(
      'Välj en sortering i listan.',
      (v) => v === '' || sortOrders.some((o) => o.code === v),
      (v) => (v === '' ? 'plan' : v) as SortOrder,
    ),
  })

export type MeasureFilter = z.output<ReturnType<typeof measureFilter>>
