// The columns of an exported plan, which are also the headers an import recognises: one list, so a file
// exported here always imports again. The aliases are headers found in municipalities' own sheets.

export type SheetKind = 'risks' | 'reviews'

export interface Column {
  key: string
  header: string
  aliases?: string[]
  /** Characters wide in the exported sheet. */
  width: number
}

export const riskColumns = [
  { key: 'riskTitle', header: 'Risk', aliases: ['Risker', 'Riskrubrik', 'Identifierad risk'], width: 40 },
  { key: 'riskDescription', header: 'Riskbeskrivning', aliases: ['Beskrivning av risk', 'Beskrivning'], width: 60 },
  { key: 'likelihood', header: 'Sannolikhet', width: 12 },
  { key: 'consequence', header: 'Konsekvens', width: 12 },
  { key: 'treatment', header: 'Riskhantering', aliases: ['Hantering'], width: 16 },
  { key: 'scope', header: 'Typ av granskning', aliases: ['Granskningstyp'], width: 18 },
  {
    key: 'measureTitle',
    header: 'Åtgärd',
    aliases: ['Åtgärder', 'Förbättringsåtgärd', 'Förbättringsåtgärder'],
    width: 50,
  },
  { key: 'whatToDo', header: 'Vad ska göras', aliases: ['Planerad åtgärd'], width: 60 },
  { key: 'progress', header: 'Genomförda åtgärder', aliases: ['Genomfört'], width: 60 },
  { key: 'owner', header: 'Ansvarig', aliases: ['Ansvarig enhet', 'Avdelning'], width: 24 },
  { key: 'responsiblePerson', header: 'Ansvarig person', aliases: ['Kontaktperson'], width: 24 },
  { key: 'status', header: 'Status', width: 26 },
  { key: 'dueDate', header: 'Klart senast', aliases: ['Slutdatum', 'Klart'], width: 14 },
  // The development area the measure was decided for, as its page names it; the import finds the area by it.
  { key: 'origin', header: 'Ursprung', aliases: ['Utvecklingsområde'], width: 50 },
] as const satisfies readonly Column[]

export const reviewColumns = [
  { key: 'diaryNumber', header: 'Diarienummer', aliases: ['Dnr', 'Diarienr'], width: 20 },
  { key: 'reviewTitle', header: 'Granskning', aliases: ['Granskningens rubrik'], width: 60 },
  { key: 'reviewRisk', header: 'Granskad risk', aliases: ['Risk'], width: 40 },
  { key: 'meetingDate', header: 'Sammanträdesdatum', aliases: ['Sammanträde'], width: 18 },
  { key: 'minutesParagraph', header: 'Protokollsparagraf', aliases: ['Paragraf', '§'], width: 18 },
] as const satisfies readonly Column[]

export type RiskField = (typeof riskColumns)[number]['key']
export type ReviewField = (typeof reviewColumns)[number]['key']

/**
 * What an import reads: the exported columns, and on the risks' sheet also the diary number of the decision on a
 * risk, which one-sheet plans often keep beside it (the export keeps reviews on their own sheet).
 */
const importedRiskColumns: readonly Column[] = [
  ...riskColumns,
  { key: 'diaryNumber', header: 'Diarienummer', aliases: ['Dnr', 'Diarienr'], width: 20 },
]

export const columnsOf = (kind: SheetKind): readonly Column[] =>
  kind === 'risks' ? importedRiskColumns : reviewColumns

/**
 * The plan's own fields, one a row on the sheet Planens uppgifter, with the label in the first column. The year and
 * the title are not among them: an import makes a new plan, usually of another year, and they are chosen on upload.
 */
export const planFields = [
  { key: 'introduction', label: 'Inledning' },
  { key: 'measuresIntroduction', label: 'Inledning till förbättringsåtgärderna' },
  { key: 'adoptedMeetingDate', label: 'Antagen vid sammanträde' },
  { key: 'adoptedMinutesParagraph', label: 'Antagen i protokollsparagraf' },
  { key: 'adoptedDiaryNumber', label: 'Antagen med diarienummer' },
] as const

export type PlanField = (typeof planFields)[number]['key']

export const planColumns = [
  { key: 'field', header: 'Uppgift', width: 40 },
  { key: 'value', header: 'Värde', width: 80 },
] as const satisfies readonly Column[]

/**
 * The names of the exported sheets; a workbook's sheets with the reviews' and the plan's names are read as
 * those, not as the risks.
 */
export const sheetNames = { risks: 'Risker och åtgärder', reviews: 'Granskningar', plan: 'Planens uppgifter' } as const

/** A header as compared: case, spacing, dashes and a trailing colon, asterisk or question mark do not matter. */
export const normalise = (text: string) =>
  text
    .toLocaleLowerCase('sv-SE')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/[\s:*?]+$/, '')
    .trim()
