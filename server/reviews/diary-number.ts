// A committee's diary numbers look like its administration's: prefix, year of registration, serial number,
// "GRF-2020-11653".

const leadingPart = /^(\p{L}[\p{L}\d]*)-(\d{4})-/u
// A full number pasted after a typed or autofilled "GRF-2020-" arrives as "GRF-2020-GRF-2020-00999".
const doubledStart = /^(\p{L}[\p{L}\d]*)-\d{4}-(?=\1-\d{4}-)/iu

/** The number without a repeated "GRF-2020-" in front of it. */
export function undoubled(diaryNumber: string): string {
  let number = diaryNumber
  while (doubledStart.test(number)) number = number.replace(doubledStart, '')
  return number
}

/** "GRF-2020-": how most of a plan's numbers begin, to show as a hint, never as a value. */
export const diaryStart = (prefix: string, year: number) => `${prefix}-${year}-`

/**
 * Why the number does not look like one of the committee's, or undefined when it does. A case is registered in
 * the plan's year or in the year of its decision (a plan adopted in December of the year before, a review decided
 * early in the year after), so either year is plausible.
 */
export function diaryNumberDoubt(
  diaryNumber: string,
  prefix: string,
  planYear: number,
  decisionDate: string | null,
): string | undefined {
  const match = leadingPart.exec(diaryNumber)
  if (match?.[1] !== prefix) return `Diarienumret ${diaryNumber} börjar inte med förvaltningens prefix ${prefix}.`
  const year = Number(match[2])
  const decisionYear = decisionDate ? Number(decisionDate.slice(0, 4)) : planYear
  if (year === planYear || year === decisionYear) return undefined
  const decided = decisionYear === planYear ? '' : ` och beslutet fattades ${decisionYear}`
  return `Diarienumret ${diaryNumber} är från ${year}, men planen gäller ${planYear}${decided}.`
}
