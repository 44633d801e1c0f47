import { deviationOriginText } from '../controls/control-line.js'

// The columns of an exported plan, which are also the headers an import recognises: one list, so a file
// exported here always imports again. The aliases are headers found in municipalities' own sheets.

export type SheetKind = 'risks' | 'reviews' | 'controls' | 'runs' | 'deviations'

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
  // The development area or the deviation the measure was decided for, named as deviationOriginLabel or the
  // area's page names it; the import finds it by that.
  { key: 'origin', header: 'Ursprung', aliases: ['Utvecklingsområde'], width: 50 },
] as const satisfies readonly Column[]

export const reviewColumns = [
  { key: 'diaryNumber', header: 'Diarienummer', aliases: ['Dnr', 'Diarienr'], width: 20 },
  { key: 'reviewTitle', header: 'Granskning', aliases: ['Granskningens rubrik'], width: 60 },
  { key: 'reviewRisk', header: 'Granskad risk', aliases: ['Risk'], width: 40 },
  { key: 'meetingDate', header: 'Sammanträdesdatum', aliases: ['Sammanträde'], width: 18 },
  { key: 'minutesParagraph', header: 'Protokollsparagraf', aliases: ['Paragraf', '§'], width: 18 },
] as const satisfies readonly Column[]

// A control names its risk by title, as a review does; an occasion names its control by the control's title and
// its risk's (two risks may well have a control of the same title), and a deviation its occasion by those and
// the occasion's number. That is the limit of a round trip: a plan with two risks of one title, or two controls of
// one title under one risk, exports whole, but the import cannot tell which of them a row names, leaves such rows
// out and says why (check.ts, check-controls.ts). No column of numbers of their own is added for it: a person
// editing the sheet would have to keep them right.
export const controlColumns = [
  { key: 'risk', header: 'Risk', width: 40 },
  { key: 'title', header: 'Kontrollmoment', aliases: ['Kontroll', 'Kontrollaktivitet'], width: 40 },
  { key: 'whatIsChecked', header: 'Vad kontrolleras', aliases: ['Vad kontrolleras?'], width: 60 },
  // The method's label, or the committee's own words for it.
  { key: 'method', header: 'Kontrollmetod', aliases: ['Metod'], width: 26 },
  { key: 'frequency', header: 'Frekvens', aliases: ['Periodicitet'], width: 14 },
  { key: 'owner', header: 'Ansvarig enhet', aliases: ['Ansvarig', 'Avdelning'], width: 24 },
  { key: 'responsiblePerson', header: 'Ansvarig person', aliases: ['Kontaktperson'], width: 24 },
  { key: 'reportedTo', header: 'Rapporteras till', aliases: ['Rapporteras'], width: 20 },
] as const satisfies readonly Column[]

const occasionOf = [
  { key: 'risk', header: 'Risk', width: 30 },
  { key: 'control', header: 'Kontrollmoment', aliases: ['Kontroll'], width: 36 },
  { key: 'occasion', header: 'Tillfälle', aliases: ['Kontrolltillfälle'], width: 10 },
] as const satisfies readonly Column[]

export const runColumns = [
  ...occasionOf,
  { key: 'plannedDate', header: 'Planerat datum', aliases: ['Planerad'], width: 14 },
  { key: 'result', header: 'Resultat', width: 18 },
  { key: 'notPerformedReason', header: 'Skäl till att den inte genomfördes', aliases: ['Skäl'], width: 36 },
  { key: 'performedOn', header: 'Genomförd den', aliases: ['Genomförd'], width: 14 },
  { key: 'reportedOn', header: 'Rapporterad den', aliases: ['Rapporterad'], width: 14 },
  { key: 'performedBy', header: 'Utförd av', width: 24 },
  { key: 'population', header: 'Population', width: 36 },
  { key: 'populationSize', header: 'Populationens storlek', width: 12 },
  { key: 'sampleSize', header: 'Stickprovets storlek', aliases: ['Stickprov'], width: 12 },
  { key: 'sampling', header: 'Urvalsmetod', aliases: ['Urval'], width: 16 },
  { key: 'checkedCount', header: 'Antal kontrollerade', aliases: ['Kontrollerade'], width: 12 },
  { key: 'deviationCount', header: 'Antal med avvikelser', aliases: ['Med avvikelser'], width: 12 },
  { key: 'comment', header: 'Kommentar', width: 60 },
] as const satisfies readonly Column[]

export const deviationColumns = [
  ...occasionOf,
  { key: 'description', header: 'Avvikelse', aliases: ['Beskrivning'], width: 60 },
  { key: 'severity', header: 'Allvarlighetsgrad', aliases: ['Allvarlighet'], width: 16 },
  { key: 'decision', header: 'Beslut', width: 16 },
  { key: 'noMeasureReason', header: 'Skäl till att ingen åtgärd behövs', aliases: ['Skäl'], width: 40 },
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

const importedColumns: Record<SheetKind, readonly Column[]> = {
  risks: importedRiskColumns,
  reviews: reviewColumns,
  controls: controlColumns,
  runs: runColumns,
  deviations: deviationColumns,
}

export const columnsOf = (kind: SheetKind): readonly Column[] => importedColumns[kind]

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
 * The names of the exported sheets; a workbook's sheets with these names (but the risks') are read as those, not
 * as the risks.
 */
export const sheetNames = {
  risks: 'Risker och åtgärder',
  reviews: 'Granskningar',
  controls: 'Kontrollmoment',
  runs: 'Kontrolltillfällen',
  deviations: 'Avvikelser',
  plan: 'Planens uppgifter',
} as const

/**
 * How the risks' sheet names a measure's origin when it was decided for a deviation (in the column Ursprung, where
 * an area's origin goes too): as the measure's page names it, and then the deviation's description, by which the
 * import tells the deviations of one occasion apart and finds the one among those it imports.
 */
export const deviationOriginLabel = (d: { control: string; occasion: number; description: string }) =>
  `${deviationOriginText({ controlTitle: d.control, occasion: d.occasion })}: ${d.description}`

/** Whether an origin is given as a deviation's (and so is not looked for among the development areas). */
export const isDeviationOrigin = (origin: string) => normalise(origin).startsWith('avvikelse vid ')

/** A header as compared: case, spacing, dashes and a trailing colon, asterisk or question mark do not matter. */
export const normalise = (text: string) =>
  text
    .toLocaleLowerCase('sv-SE')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/[\s:*?]+$/, '')
    .trim()
