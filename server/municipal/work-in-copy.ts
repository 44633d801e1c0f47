// What a plan's copy of a municipality-wide item holds of the committee's own: the item may never take it away, so
// a copy holding any of it is not deleted by un-choosing the committee, deleting the item or moving the plan.

import plural from '../../views/helpers/plural.js'

/** The counts and fields of a copy (repository.ts) that are the committee's own. */
export interface CopyWork {
  measureCount: number | string | null
  controlCount: number | string | null
  ownReviewCount: number | string | null
  areaCount: number | string | null
  laterRiskCount: number | string | null
  result: string | null
  meetingDate: string | null
  minutesParagraph: number | string | null
}

/** What a copy holds of the committee's own, in words ("1 åtgärd, resultat"); empty when nothing. */
export function workInCopy(copy: CopyWork): string[] {
  const measures = Number(copy.measureCount)
  const controls = Number(copy.controlCount)
  const reviews = Number(copy.ownReviewCount)
  const areas = Number(copy.areaCount)
  return [
    measures > 0 ? plural(measures, 'åtgärd', 'åtgärder') : '',
    controls > 0 ? `${controls} kontrollmoment` : '',
    copy.result ? 'resultat' : '',
    copy.meetingDate !== null || copy.minutesParagraph !== null ? 'beslut' : '',
    reviews > 0 ? plural(reviews, 'egen granskning', 'egna granskningar') : '',
    areas > 0 ? `kopplad till ${plural(areas, 'utvecklingsområde', 'utvecklingsområden')}` : '',
    Number(copy.laterRiskCount) > 0 ? 'förd vidare till nästa års plan' : '',
  ].filter(Boolean)
}
