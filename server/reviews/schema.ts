import { z } from 'zod'
import { baseVersion, optionalChosenId, optionalDate, optionalParagraph, requiredText } from '../forms.js'

export const reviewForm = z.object({
  diaryNumber: requiredText('Ange diarienummer, till exempel GRF-2020-11653.', 60),
  title: requiredText('Ange granskningens rubrik.'),
  meetingDate: optionalDate,
  minutesParagraph: optionalParagraph,
  riskId: optionalChosenId,
  version: baseVersion,
})

export type ReviewForm = z.output<typeof reviewForm>
