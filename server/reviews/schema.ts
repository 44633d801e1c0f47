import { z } from 'zod'
import { baseVersion, optionalChosenId, optionalDate, optionalParagraph, requiredText } from '../forms.js'
import { undoubled } from './diary-number.js'

export const reviewForm = z.object({
  diaryNumber: requiredText('Ange granskningens diarienummer.', 60).transform(undoubled),
  title: requiredText('Ange granskningens rubrik.'),
  meetingDate: optionalDate,
  minutesParagraph: optionalParagraph,
  riskId: optionalChosenId,
  version: baseVersion,
})

export type ReviewForm = z.output<typeof reviewForm>
