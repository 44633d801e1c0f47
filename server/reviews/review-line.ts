import decision from '../../views/helpers/decision.js'

/** "GRF-2020-11639 Uppföljning av … Sammanträde 2020-06-16, protokoll §95.", as the report lists reviews. */
export function reviewLine(review: {
  diary_number: string
  title: string
  meeting_date: string | null
  minutes_paragraph: number | null
}): string {
  const made = decision(review.meeting_date, review.minutes_paragraph)
  return `${review.diary_number} ${review.title.replace(/\.$/, '')}.${made ? ` ${made}.` : ''}`
}
