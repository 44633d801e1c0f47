import { z } from 'zod'
import type { MeasureStatus, RiskScope, RiskTreatment } from '../../../db/schema.js'
import { optionalDate, optionalParagraph, optionalText, requiredText } from '../../forms.js'
import { consequenceScale, likelihoodScale, measureStatuses, riskScopes, riskTreatments } from '../../vocabulary.js'
import { normalise, type PlanField, planFields, riskColumns } from '../columns.js'
import type { Mapping } from './mapping.js'
import { columnLetter, columnName, type ParsedSheet, type PlanSheet } from './parse.js'

export interface Problem {
  sheet: string
  line: number
  column: string
  message: string
  /** The owner unit the administration lacks, for a problem that creating it would solve. */
  unit?: string
}

export interface ImportMeasure {
  title: string
  whatToDo: string
  progress: string
  owner: string
  responsiblePerson: string
  status: MeasureStatus
  dueDate: string | null
  originAreaId: number | null
}

export interface ImportRisk {
  title: string
  description: string
  likelihood: number | null
  consequence: number | null
  treatment: RiskTreatment
  scope: RiskScope
  measures: ImportMeasure[]
}

export interface ImportReview {
  diaryNumber: string
  title: string
  risk: ImportRisk | null
  meetingDate: string | null
  minutesParagraph: number | null
}

export interface UnknownUnit {
  /** As first spelt in the file. */
  name: string
  column: string
  lines: number[]
}

export interface CheckedImport {
  plan: ImportPlan
  risks: ImportRisk[]
  reviews: ImportReview[]
  problems: Problem[]
  /** What may be wrong but is imported as it is: reviews from another year than the plan's, unknown origins. */
  warnings: Problem[]
  /** Owner units named in the file that the administration does not have, and the rows naming them. */
  unknownUnits: UnknownUnit[]
  /** Rows read, and rows left out for their problems. */
  rowCount: number
  badRowCount: number
}

const listed = (labels: readonly string[]) => `${labels.slice(0, -1).join(', ')} eller ${labels.at(-1)}`

/** A value given by code, by its Swedish label, or (for the scale) by its number: "3", "3 – Möjlig" or "Möjlig". */
function fromList<C extends string>(list: readonly { code: C; label: string }[], text: string): C | undefined {
  const wanted = normalise(text)
  return list.find((item) => normalise(item.label) === wanted || item.code === wanted)?.code
}

function scaleStep(scale: readonly string[], text: string): number | null | undefined {
  if (text === '') return null
  const number = /^([1-4])(?:[.,]0+)?(?:\s*[-–].*)?$/.exec(text)
  if (number) return Number(number[1])
  const index = scale.findIndex((label) => normalise(label) === normalise(text))
  return index >= 0 ? index + 1 : undefined
}

/** A zod field builder's verdict on one cell: its value, or its Swedish message. */
function viaForm<T>(schema: z.ZodType<T>, text: string): { value: T } | { message: string } {
  const parsed = schema.safeParse(text)
  return parsed.success ? { value: parsed.data } : { message: parsed.error.issues[0]?.message ?? 'Ogiltigt värde.' }
}

/** One row of a sheet as its mapped fields, with a way to note a problem in one of its cells. */
function rowReader(sheet: ParsedSheet, fields: string[], row: { line: number; cells: string[] }, problems: Problem[]) {
  const index = (key: string) => fields.indexOf(key)
  const cell = (key: string) => (index(key) < 0 ? '' : (row.cells[index(key)] ?? ''))
  const problem = (key: string, message: string, unit?: string) => {
    problems.push({ sheet: sheet.name, line: row.line, column: columnOf(sheet, index(key)), message, unit })
  }
  const parse = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
    const result = viaForm(schema, cell(key))
    if ('value' in result) return result.value
    problem(key, result.message)
    return undefined
  }
  return { cell, problem, parse, column: (key: string) => columnOf(sheet, index(key)) }
}

const columnOf = (sheet: ParsedSheet, i: number) =>
  i < 0 ? '' : `${columnLetter(i)} (${columnName(i, sheet.headers[i] ?? '')})`

// Built once: making a zod schema costs more than using it, and a file has thousands of rows.
const cells = {
  riskTitle: requiredText('Risken saknar rubrik: kolumnen Risk är tom.'),
  measureTitle: requiredText('Åtgärden saknar rubrik: kolumnen Åtgärd är tom.'),
  owner: requiredText('Åtgärden saknar ansvarig enhet: kolumnen Ansvarig är tom.', 200),
  reviewDiaryNumber: requiredText('Granskningen saknar diarienummer.', 60),
  reviewTitle: requiredText('Granskningen saknar rubrik.'),
  text: optionalText(),
  diaryNumber: optionalText(60),
  name: optionalText(200),
}

const planSchema = z.object({
  introduction: cells.text,
  measuresIntroduction: cells.text,
  adoptedMeetingDate: optionalDate,
  adoptedMinutesParagraph: optionalParagraph,
  adoptedDiaryNumber: cells.diaryNumber,
})

export type ImportPlan = z.output<typeof planSchema>

/**
 * The plan's own fields from their sheet, a problem on the row of a value in error (which is left empty); a file
 * without the sheet leaves them all empty.
 */
function readPlan(sheet: PlanSheet | null, problems: Problem[]): ImportPlan {
  const values = Object.fromEntries(planFields.map((f) => [f.key, ''])) as Record<PlanField, string>
  const lines = new Map<string, number>()
  for (const {
    line,
    cells: [label = '', value = ''],
  } of sheet?.rows ?? []) {
    const field = planFields.find((f) => normalise(f.label) === normalise(label))
    if (field) {
      values[field.key] = value
      lines.set(field.key, line)
    } else {
      const message = `Okänd uppgift ”${label}”. Ange ${listed(planFields.map((f) => f.label))}.`
      problems.push({ sheet: sheet?.name ?? '', line, column: 'A (Uppgift)', message })
    }
  }
  const parsed = planSchema.safeParse(values)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0]) as PlanField
    problems.push({ sheet: sheet?.name ?? '', line: lines.get(key) ?? 0, column: 'B (Värde)', message: issue.message })
    values[key] = ''
  }
  return planSchema.parse(values)
}

const statusLabels = measureStatuses.map((s) => s.label)
const riskFields = riskColumns.slice(0, 6).map((c) => c.key)
const measureFields = riskColumns.slice(6).map((c) => c.key)

/**
 * Reads the mapped rows into risks, measures and reviews, listing every problem by row and column. Rows with
 * a problem are left out of what is returned; the route imports only when there are none or the user agrees.
 */
export function checkImport(
  file: { sheets: ParsedSheet[]; planSheet: PlanSheet | null },
  mapping: Mapping,
  context: {
    year: number
    unitNames: string[]
    createUnits: string[]
    administrationName: string
    /** The committee's development areas, each by the name its measures' origin is given with. */
    areas: { id: number; label: string }[]
  },
): CheckedImport {
  const { sheets } = file
  const problems: Problem[] = []
  const warnings: Problem[] = []
  const plan = readPlan(file.planSheet, problems)
  const known = new Set([...context.unitNames, ...context.createUnits].map(normalise))
  const existing = new Set(context.unitNames.map(normalise))
  const unknownUnits = new Map<string, UnknownUnit>()
  const areasByLabel = new Map<string, number[]>()
  for (const area of context.areas) {
    areasByLabel.set(normalise(area.label), [...(areasByLabel.get(normalise(area.label)) ?? []), area.id])
  }
  const risks: ImportRisk[] = []
  /** Diary numbers written beside risks on the risks' sheet, by risk. */
  const decisions = new Map<string, { diaryNumber: string; risk: ImportRisk }>()
  const reviews: ImportReview[] = []
  /** Titles of risks left out for their problems, for a review of one to say why it has no risk. */
  const leftOut = new Set<string>()
  let rowCount = 0
  // Each problem of the plan's fields is on a row of its own.
  let badRowCount = problems.length

  const riskSheet = sheets.find((s) => s.kind === 'risks')
  /** The risk of the rows above: its columns, the row it was written on, and the risk (none if left out). */
  let above: { cells: string[]; line: number; risk: ImportRisk | undefined } | undefined
  for (const row of riskSheet?.rows ?? []) {
    if (!riskSheet) break
    rowCount++
    const before = problems.length
    const { cell, problem, parse, column } = rowReader(riskSheet, mapping.risks ?? [], row, problems)
    // A risk is written once above its measures (its columns empty below) or again on each of them, as the export
    // does. Any other row starts a new risk, even with a title used before: titles need not be unique.
    const riskCells = riskFields.map((key) => normalise(cell(key)))
    const blank = riskCells.every((c) => c === '')
    const continued = blank || (above?.risk && riskCells.every((c, i) => c === above?.cells[i])) ? above : undefined
    const riskTitle = continued ? undefined : parse('riskTitle', cells.riskTitle)
    const description = parse('riskDescription', cells.text)
    const diaryNumber = parse('diaryNumber', cells.diaryNumber)
    const score = (key: 'likelihood' | 'consequence', scale: readonly string[], name: string) => {
      const step = scaleStep(scale, cell(key))
      if (step === undefined) {
        problem(key, `${name} ska vara en siffra 1–4 (eller tom), inte ”${cell(key)}”.`)
      }
      return step ?? null
    }
    const likelihood = score('likelihood', likelihoodScale, 'Sannolikhet')
    const consequence = score('consequence', consequenceScale, 'Konsekvens')
    const treatment = cell('treatment') === '' ? 'review' : fromList(riskTreatments, cell('treatment'))
    if (!treatment) {
      problem(
        'treatment',
        `Okänd riskhantering ”${cell('treatment')}”. Ange ${listed(riskTreatments.map((t) => t.label))}.`,
      )
    }
    const scope = cell('scope') === '' ? 'committee' : fromList(riskScopes, cell('scope'))
    if (!scope) {
      problem('scope', `Okänd typ av granskning ”${cell('scope')}”. Ange ${listed(riskScopes.map((s) => s.label))}.`)
    }

    let measure: ImportMeasure | undefined
    if (measureFields.some((key) => cell(key) !== '')) {
      const title = parse('measureTitle', cells.measureTitle)
      const owner = parse('owner', cells.owner)
      if (owner && !existing.has(normalise(owner))) {
        const unit = unknownUnits.get(normalise(owner))
        if (unit) unit.lines.push(row.line)
        else unknownUnits.set(normalise(owner), { name: owner, column: column('owner'), lines: [row.line] })
      }
      if (owner && !known.has(normalise(owner))) {
        problem('owner', `Okänd ansvarig enhet ”${owner}”`, unknownUnits.get(normalise(owner))?.name)
      }
      const status = cell('status') === '' ? 'not_started' : fromList(measureStatuses, cell('status'))
      if (!status) {
        problem(
          'status',
          normalise(cell('status')) === 'försenad'
            ? 'Försenad är ingen status: den räknas fram av datumet. Ange till exempel Pågående.'
            : `Okänd status ”${cell('status')}”. Ange ${listed(statusLabels)}.`,
        )
      }
      const dueDate = parse('dueDate', optionalDate)
      const whatToDo = parse('whatToDo', cells.text)
      const progress = parse('progress', cells.text)
      const responsiblePerson = parse('responsiblePerson', cells.name)
      // An origin that names no one area of the committee's (another committee's file, a typo) leaves the
      // measure without one, which the preview warns of: the measure itself is not wrong.
      const origin = cell('origin')
      const originAreas = origin === '' ? [] : (areasByLabel.get(normalise(origin)) ?? [])
      const originAreaId = originAreas.length === 1 ? (originAreas[0] ?? null) : null
      if (origin !== '' && originAreaId === null) {
        const message =
          originAreas.length === 0
            ? `Nämnden har inget utvecklingsområde ”${origin}”; åtgärden importeras utan ursprung.`
            : `Nämnden har ${originAreas.length} utvecklingsområden som heter ”${origin}”; åtgärden importeras utan ursprung.`
        warnings.push({ sheet: riskSheet.name, line: row.line, column: column('origin'), message })
      }
      if (title && owner && status && dueDate !== undefined) {
        measure = {
          title,
          owner,
          status,
          dueDate,
          whatToDo: whatToDo ?? '',
          progress: progress ?? '',
          responsiblePerson: responsiblePerson ?? '',
          originAreaId,
        }
      }
    }
    // Without its risk's row, a row written under it would make the risk again with its data lost. A row with
    // problems of its own is left out anyway, and listed for those.
    if (continued && !continued.risk && problems.length === before) {
      problem('riskTitle', `Risken på rad ${continued.line} har fel. Rätta den raden, så kommer raderna under den med.`)
    }
    const bad = problems.length > before
    if (bad) badRowCount++
    let risk = continued?.risk
    if (!continued) {
      risk =
        !bad && riskTitle && treatment && scope
          ? {
              title: riskTitle,
              description: description ?? '',
              likelihood,
              consequence,
              treatment,
              scope,
              measures: [],
            }
          : undefined
      if (risk) risks.push(risk)
      else leftOut.add(normalise(cell('riskTitle')))
      above = { cells: riskCells, line: row.line, risk }
    }
    if (bad || !risk) continue
    if (measure) risk.measures.push(measure)
    if (diaryNumber) decisions.set(normalise(diaryNumber), { diaryNumber, risk })
  }

  const reviewSheet = sheets.find((s) => s.kind === 'reviews')
  const reviewFields = mapping.reviews ?? []
  // Looked up by title for each review: a list per title, as titles need not be unique.
  const risksByTitle = new Map<string, ImportRisk[]>()
  for (const risk of risks) {
    const named = risksByTitle.get(normalise(risk.title))
    if (named) named.push(risk)
    else risksByTitle.set(normalise(risk.title), [risk])
  }
  if (reviewSheet && reviewFields.some((f) => f !== '')) {
    for (const row of reviewSheet.rows) {
      rowCount++
      const before = problems.length
      const { cell, problem, parse, column } = rowReader(reviewSheet, reviewFields, row, problems)
      const diaryNumber = parse('diaryNumber', cells.reviewDiaryNumber)
      const title = parse('reviewTitle', cells.reviewTitle)
      const meetingDate = parse('meetingDate', optionalDate)
      const minutesParagraph = parse('minutesParagraph', optionalParagraph)
      const riskTitle = cell('reviewRisk')
      const named = risksByTitle.get(normalise(riskTitle)) ?? []
      const risk = named.length === 1 ? named[0] : undefined
      if (riskTitle !== '' && named.length === 0) {
        problem(
          'reviewRisk',
          leftOut.has(normalise(riskTitle))
            ? `Risken ”${riskTitle}” har fel och utelämnas. Rätta den, så kommer granskningen med.`
            : `Ingen risk som importeras heter ”${riskTitle}”.`,
        )
      } else if (named.length > 1) {
        problem('reviewRisk', `${named.length} risker som importeras heter ”${riskTitle}”; ge dem olika rubriker.`)
      }
      if (problems.length > before || !diaryNumber || !title || meetingDate === undefined) {
        badRowCount++
        continue
      }
      const meetingYear = meetingDate?.slice(0, 4)
      if (meetingYear && Number(meetingYear) !== context.year) {
        const message = `Sammanträdet är ${meetingYear}, inte i planens år ${context.year}.`
        warnings.push({ sheet: reviewSheet.name, line: row.line, column: column('meetingDate'), message })
      }
      reviews.push({
        diaryNumber,
        title,
        risk: risk ?? null,
        meetingDate,
        minutesParagraph: minutesParagraph ?? null,
      })
    }
  }
  // A diary number beside a risk is a review of it, unless the reviews' sheet lists that number itself.
  const onReviewSheet = new Set(reviews.map((r) => normalise(r.diaryNumber)))
  for (const [key, { diaryNumber, risk }] of decisions) {
    if (onReviewSheet.has(key)) continue
    reviews.push({ diaryNumber, title: risk.title, risk, meetingDate: null, minutesParagraph: null })
  }
  return {
    plan,
    risks,
    reviews,
    problems,
    warnings,
    unknownUnits: [...unknownUnits.values()],
    rowCount,
    badRowCount,
  }
}
