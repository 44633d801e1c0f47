import { z } from 'zod'
import { baseVersion, chosenId, oneOf, optionalChosenId, optionalDate, optionalText, requiredText } from '../forms.js'
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
  version: baseVersion,
})

export type MeasureForm = z.output<typeof measureForm>

export const statusForm = z.object({ status, version: baseVersion })

/** What an owner unit reports: status, what has been done, and when it will be done. */
export const updateForm = z.object({ status, progress: optionalText(), dueDate: optionalDate, version: baseVersion })

export const statusOptions = measureStatuses.map((s) => ({ value: s.code, label: s.label }))
