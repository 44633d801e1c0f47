import type { ControlFrequency, ControlMethod, ReportedTo } from '../../db/schema.js'
import { controlFrequencies, controlMethods, labelOf, reportedToOptions } from '../vocabulary.js'

/** A control's coded fields as a person reads them: the method (or the committee's own words for it), and so on. */
export function controlLabels(control: {
  method: ControlMethod
  method_own: string
  frequency: ControlFrequency
  reported_to: ReportedTo
}) {
  return {
    methodText: control.method === 'own' ? control.method_own : labelOf(controlMethods, control.method),
    frequencyLabel: labelOf(controlFrequencies, control.frequency),
    reportedToLabel: labelOf(reportedToOptions, control.reported_to),
  }
}
