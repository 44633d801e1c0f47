import { z } from 'zod'
import { baseVersion, optionalChosenId, optionalDate, optionalParagraph, optionalText, requiredText } from '../forms.js'
import { undoubled } from './diary-number.js'

export const reviewForm = z.object({
  diaryNumber: requiredText('Ange granskningens diarienummer.', 60).transform(undoubled),
  title: requiredText('Ange granskningens rubrik.'),
  meetingDate: optionalDate,
  minutesParagraph: optionalParagraph,
  riskId: optionalChosenId,
  result: optionalText(),
  version: baseVersion,
})

export type ReviewForm = z.output<typeof reviewForm>

/** A plan's copy of a municipality-wide review: the committee's decision and result; the rest is kommunstyrelsen's. */
export const reviewCopyForm = z.object({
  meetingDate: optionalDate,
  minutesParagraph: optionalParagraph,
  result: optionalText(),
  version: baseVersion,
})
