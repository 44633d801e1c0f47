import { z } from 'zod'
import type { MeasureStatus, RiskScope, RiskTreatment } from '../../../db/schema.js'
import { optionalDate, optionalParagraph, optionalText, requiredText } from '../../forms.js'
import { consequenceScale, likelihoodScale, measureStatuses, riskScopes, riskTreatments } from '../../vocabulary.js'
import { isDeviationOrigin, normalise, type PlanField, planFields, riskColumns } from '../columns.js'
import { checkControls, type ImportControl, type ImportDeviation } from './check-controls.js'
import type { Mapping } from './mapping.js'
import type { ParsedSheet, PlanSheet } from './parse.js'
import { fromList, listed, ownerUnits, type Problem, rowReader, type UnknownUnit } from './rows.js'

export interface ImportMeasure {
  title: string
  whatToDo: string
  progress: string
  owner: string
  responsiblePerson: string
  status: MeasureStatus
  dueDate: string | null
  originAreaId: number | null
  originDeviation: ImportDeviation | null
}

export interface ImportRisk {
  title: string
  description: string
  likelihood: number | null
  consequence: number | null
  treatment: RiskTreatment
  scope: RiskScope
  measures: ImportMeasure[]
  controls: ImportControl[]
}

export interface ImportReview {
  diaryNumber: string
  title: string
  risk: ImportRisk | null
  meetingDate: string | null
  minutesParagraph: number | null
}

export interface CheckedImport {
  plan: ImportPlan
  risks: ImportRisk[]
  reviews: ImportReview[]
  problems: Problem[]
  /**
   * What may be wrong but is imported as it is: reviews and occasions from another year than the plan's, unknown
   * origins, methods of the committee's own.
   */
  warnings: Problem[]
  /** Owner units named in the file that the administration does not have, and the rows naming them. */
  unknownUnits: UnknownUnit[]
  /** Rows read, and rows left out for their problems. */
  rowCount: number
  badRowCount: number
}

function scaleStep(scale: readonly string[], text: string): number | null | undefined {
  if (text === '') return null
  const number = /^([1-4])(?:[.,]0+)?(?:\s*[-–].*)?$/.exec(text)
  if (number) return Number(number[1])
  const index = scale.findIndex((label) => normalise(label) === normalise(text))
  return index >= 0 ? index + 1 : undefined
}

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
  const units = ownerUnits(context)
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
  /** The origins the measures name, found once every sheet is read. */
  const origins: { measure: ImportMeasure; origin: string; line: number; column: string }[] = []
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
    const reader = rowReader(riskSheet, mapping.risks ?? [], row, problems)
    const { cell, problem, parse, column } = reader
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
      if (owner) units.check(reader, 'owner', owner)
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
      if (title && owner && status && dueDate !== undefined) {
        measure = {
          title,
          owner,
          status,
          dueDate,
          whatToDo: whatToDo ?? '',
          progress: progress ?? '',
          responsiblePerson: responsiblePerson ?? '',
          originAreaId: null,
          originDeviation: null,
        }
        // Found once the deviations are read, which come on a later sheet.
        if (cell('origin') !== '')
          origins.push({ measure, origin: cell('origin'), line: row.line, column: column('origin') })
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
              controls: [],
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
  // Looked up by title for each review and control: a list per title, as titles need not be unique.
  const risksByTitle = new Map<string, ImportRisk[]>()
  for (const risk of risks) {
    const named = risksByTitle.get(normalise(risk.title))
    if (named) named.push(risk)
    else risksByTitle.set(normalise(risk.title), [risk])
  }
  /** The one imported risk of a title, or why a review or control (`what`) naming it has none. */
  const riskNamed = (title: string, what: string): { risk: ImportRisk } | { problem: string } => {
    const named = risksByTitle.get(normalise(title)) ?? []
    if (named.length === 1 && named[0]) return { risk: named[0] }
    // A file names a risk by its title only: of two risks of one title, neither gets the reviews and controls naming
    // it (the limit of a round trip of such a plan), and the problem says so.
    if (named.length > 1) {
      return {
        problem: `${named.length} risker som importeras heter ”${title}”, och ${what} hittar sin risk bara genom rubriken. Ge riskerna olika rubriker.`,
      }
    }
    return {
      problem: leftOut.has(normalise(title))
        ? `Risken ”${title}” har fel och utelämnas. Rätta den, så kommer ${what} med.`
        : `Ingen risk som importeras heter ”${title}”.`,
    }
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
      const named = riskTitle === '' ? undefined : riskNamed(riskTitle, 'granskningen')
      if (named && 'problem' in named) problem('reviewRisk', named.problem)
      const risk = named && 'risk' in named ? named.risk : undefined
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
  const controls = checkControls(sheets, mapping, { year: context.year, riskNamed, units, problems, warnings })
  rowCount += controls.rowCount
  badRowCount += controls.badRowCount
  // An origin that names no one deviation imported nor one area of the committee's (another committee's file, a
  // typo) leaves the measure without one, which the preview warns of: the measure itself is not wrong.
  for (const { measure, origin, line, column } of origins) {
    const deviations = controls.deviationsByOrigin.get(normalise(origin)) ?? []
    const areas = areasByLabel.get(normalise(origin)) ?? []
    if (deviations.length === 1) measure.originDeviation = deviations[0] ?? null
    else if (deviations.length === 0 && areas.length === 1) measure.originAreaId = areas[0] ?? null
    else {
      const message =
        deviations.length > 1
          ? `${deviations.length} avvikelser som importeras heter ”${origin}”; åtgärden importeras utan ursprung.`
          : areas.length > 1
            ? `Nämnden har ${areas.length} utvecklingsområden som heter ”${origin}”; åtgärden importeras utan ursprung.`
            : isDeviationOrigin(origin)
              ? `Ingen avvikelse som importeras heter ”${origin}”; åtgärden importeras utan ursprung.`
              : `Nämnden har inget utvecklingsområde ”${origin}”; åtgärden importeras utan ursprung.`
      warnings.push({ sheet: riskSheet?.name ?? '', line, column, message })
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
    unknownUnits: units.unknownUnits(),
    rowCount,
    badRowCount,
  }
}
