import { z } from 'zod'
import { baseVersion, chosenId, optionalDate, optionalParagraph, optionalText, requiredText, text } from '../forms.js'

export const planForm = z.object({
  committeeId: chosenId('Välj vilken nämnd planen gäller.'),
  year: text.pipe(
    z
      .string()
      .regex(/^\d{4}$/, 'Ange året med fyra siffror, till exempel 2020.')
      .transform(Number)
      .refine((y) => y >= 2000 && y <= 2100, 'Ange ett år mellan 2000 och 2100.'),
  ),
  title: requiredText('Ange planens rubrik, till exempel Internkontrollplan 2020.'),
  adoptedMeetingDate: optionalDate,
  adoptedMinutesParagraph: optionalParagraph,
  adoptedDiaryNumber: optionalText(60),
  introduction: optionalText(),
  measuresIntroduction: optionalText(),
  version: baseVersion,
})

export type PlanForm = z.output<typeof planForm>

/**
 * A new plan's title until the user writes one of their own. The new-plan and upload forms mark their title with
 * the prefix (data-year-title), and views/assets/app.js keeps it following the year while it is typed.
 */
export const titlePrefix = 'Internkontrollplan'
export const defaultTitle = (year: string) => `${titlePrefix} ${year}`

/** The committee–year rule (one plan per committee and year), as the user reads it. */
export const yearTaken = (year: number) => `Nämnden har redan en internkontrollplan för ${year}.`
