// {{decision review.meeting_date review.minutes_paragraph}} — "Sammanträde 2020-09-23, protokoll §137", or what
// of it is known ("Protokoll §137", "Sammanträde 2020-09-23"), or "" when neither is.
export default function decision(meetingDate: unknown, minutesParagraph: unknown): string {
  const meeting = typeof meetingDate === 'string' && meetingDate !== '' ? `Sammanträde ${meetingDate}` : ''
  const paragraph = typeof minutesParagraph === 'number' ? `§${minutesParagraph}` : ''
  if (meeting && paragraph) return `${meeting}, protokoll ${paragraph}`
  return meeting || (paragraph && `Protokoll ${paragraph}`)
}
