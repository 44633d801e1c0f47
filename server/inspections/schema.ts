import { z } from 'zod'
import {
  baseVersion,
  checkbox,
  chosenId,
  type FieldErrors,
  oneOf,
  optionalDate,
  optionalParagraph,
  optionalText,
  requiredDate,
  requiredText,
  text,
} from '../forms.js'
import { areaOutcomes, inspectionAuthorities, inspectionKinds } from '../vocabulary.js'

export const inspectionForm = z.object({
  committeeId: chosenId('Välj vilken nämnd som ansvarar för granskningen.'),
  authority: oneOf(inspectionAuthorities, 'Välj granskande myndighet i listan.'),
  kind: oneOf(inspectionKinds, 'Välj typ av granskning i listan.'),
  title: requiredText('Ange granskningens rubrik, som i beslutet.', 500),
  authorityDiaryNumber: optionalText(60),
  principal: requiredText('Ange huvudmannen, till exempel Landskrona kommun.', 200),
  subject: optionalText(300),
  period: optionalText(100),
  decisionDate: requiredDate('Ange beslutsdatum, som i beslutet.'),
  reportDeadline: optionalDate,
  approvalMeetingDate: optionalDate,
  approvalMinutesParagraph: optionalParagraph,
  reportSentDate: optionalDate,
  followUpDecisionDate: optionalDate,
  closed: checkbox,
  signatories: optionalText(2000),
  version: baseVersion,
})

export type InspectionForm = z.output<typeof inspectionForm>

/** Who signs the report to the authority and answers its questions: chosen each time it is made, never stored. */
export const accountSignerForm = z.object({
  name: requiredText('Ange namnet på den som undertecknar redovisningen.', 100),
  role: requiredText('Ange befattning eller roll, till exempel förvaltningsdirektör eller Kontaktperson.', 100),
  email: optionalText(200).refine((v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
    message: 'Ange en e-postadress, till exempel anna.andersson@kommun.se, eller lämna fältet tomt.',
  }),
  phone: optionalText(40).refine((v) => v === '' || /^\+?[0-9][0-9 ()-]*$/.test(v), {
    message: 'Ange telefonnumret med siffror, till exempel 0418-47 00 00, eller lämna fältet tomt.',
  }),
})

export type AccountSigner = z.output<typeof accountSignerForm>

/** Dates that cannot come before the decision they follow from. */
export function checkInspectionDates(value: InspectionForm): FieldErrors {
  const errors: FieldErrors = {}
  const after = (field: keyof InspectionForm, date: string | null, what: string) => {
    if (date !== null && date < value.decisionDate) {
      errors[field] = `${what} kan inte vara före beslutsdatumet ${value.decisionDate}.`
    }
  }
  after('reportDeadline', value.reportDeadline, 'Sista dag för redovisningen')
  after('approvalMeetingDate', value.approvalMeetingDate, 'Nämndens sammanträde')
  after('reportSentDate', value.reportSentDate, 'Dagen redovisningen skickades')
  after('followUpDecisionDate', value.followUpDecisionDate, 'Uppföljningsbeslutet')
  return errors
}

const outcome = text.pipe(
  z
    .string()
    .refine((v) => v === '' || areaOutcomes.some((o) => o.code === v), { message: 'Välj en bedömning i listan.' })
    .transform((v) => (v === '' ? null : (v as (typeof areaOutcomes)[number]['code']))),
)

export const areaForm = z.object({
  heading: requiredText('Ange utvecklingsområdets rubrik.', 500),
  legalBasis: optionalText(500),
  initialAssessment: optionalText(),
  requiredDevelopment: optionalText(),
  outcome,
  outcomeComment: optionalText(),
  version: baseVersion,
})

export type AreaForm = z.output<typeof areaForm>

/** The committee's decision that an area needs no more work. */
export const closeAreaForm = z.object({
  meetingDate: requiredDate('Ange datum för nämndens sammanträde.'),
  minutesParagraph: optionalParagraph,
})

/** A risk, or a measure, to link a development area to or unlink it from. */
export const riskLinkForm = z.object({ riskId: chosenId('Välj en risk i listan.') })
export const measureLinkForm = z.object({ measureId: chosenId('Välj en åtgärd i listan.') })

export const authorityOptions = inspectionAuthorities.map((a) => ({ value: a.code, label: a.label }))
export const kindOptions = inspectionKinds.map((k) => ({ value: k.code, label: k.label }))
export const outcomeOptions = areaOutcomes.map((o) => ({ value: o.code, label: o.label }))
