// {{statusTag measure.status overdue}} — the measure's status as a coloured tag, with "Försenad" beside it when overdue.
import Handlebars from 'handlebars'
import type { MeasureStatus } from '../../db/schema.js'
import { labelOf, measureStatuses } from '../../server/vocabulary.js'

export default function statusTag(status: MeasureStatus, overdue: unknown): Handlebars.SafeString {
  const label = Handlebars.escapeExpression(labelOf(measureStatuses, status))
  const code = Handlebars.escapeExpression(status)
  const late = overdue === true ? ' <strong class="tag tag--overdue">Försenad</strong>' : ''
  return new Handlebars.SafeString(`<strong class="tag tag--${code}">${label}</strong>${late}`)
}
