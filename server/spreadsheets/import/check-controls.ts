// The import's check of a plan's controls, their occasions and deviations, each from its own sheet, read after the
// risks they belong to (check.ts).

import { z } from 'zod'
import type { ControlFrequency, ControlMethod, ReportedTo } from '../../../db/schema.js'
import { runDeviation, runReport } from '../../controls/run-schema.js'
import { optionalDate, optionalText, requiredText, text } from '../../forms.js'
import {
  controlFrequencies,
  controlMethods,
  deviationDecisions,
  reportedToOptions,
  runResults,
  samplings,
  severities,
} from '../../vocabulary.js'
import { deviationOriginLabel, normalise, type SheetKind } from '../columns.js'
import type { ImportRisk } from './check.js'
import type { Mapping } from './mapping.js'
import type { ParsedSheet } from './parse.js'
import { fromList, listed, type ownerUnits, type Problem, type RowReader, rowReader } from './rows.js'

/**
 * What a run reports, read by the report form's own fields and rules (run-schema.ts), so that the import takes
 * what the form takes; an occasion without it is planned only.
 */
export type RunReport = z.output<typeof runReport> & {
  /** Empty in a file: the import is when the app learns of the report. */
  reported_on: string | null
}

/** A deviation, read by the deviation form's fields and rules. */
export type ImportDeviation = z.output<typeof runDeviation>

/** An occasion the file says something of: a planned date of its own, or a report (and with it deviations). */
export interface ImportRun {
  occasion: number
  /** Null: the date its frequency gives in the plan's year. */
  plannedDate: string | null
  report: RunReport | null
  deviations: ImportDeviation[]
}

export interface ImportControl {
  title: string
  whatIsChecked: string
  method: ControlMethod
  methodOwn: string
  frequency: ControlFrequency
  owner: string
  responsiblePerson: string
  reportedTo: ReportedTo
  runs: ImportRun[]
}

// Built once, as in check.ts.
const cells = {
  riskTitle: requiredText('Kontrollmomentet saknar risk: kolumnen Risk är tom.'),
  title: requiredText('Kontrollmomentet saknar rubrik: kolumnen Kontrollmoment är tom.'),
  owner: requiredText('Kontrollmomentet saknar ansvarig enhet: kolumnen Ansvarig enhet är tom.', 200),
  methodOwn: optionalText(300),
  control: requiredText('Kontrollmomentet är inte angivet: kolumnen Kontrollmoment är tom.'),
  occasion: text.pipe(
    z
      .string()
      .refine((v) => /^[1-9]\d{0,2}$/.test(v), { message: 'Ange tillfällets nummer, till exempel 1 för årets första.' })
      .transform(Number),
  ),
  text: optionalText(),
  name: optionalText(200),
}

const labels = (list: readonly { label: string }[]) => listed(list.map((item) => item.label))

/** The column of each field of the report form (run-schema.ts) on the sheet of occasions. */
const reportColumnOf = {
  result: 'result',
  not_performed_reason: 'notPerformedReason',
  performed_on: 'performedOn',
  performed_by: 'performedBy',
  population: 'population',
  population_size: 'populationSize',
  sample_size: 'sampleSize',
  sampling: 'sampling',
  checked_count: 'checkedCount',
  deviation_count: 'deviationCount',
  comment: 'comment',
} as const satisfies Record<keyof z.output<typeof runReport>, string>

/** The column of each field of the deviation form on the sheet of deviations. */
const deviationColumnOf = {
  description: 'description',
  severity: 'severity',
  decision: 'decision',
  no_measure_reason: 'noMeasureReason',
} as const satisfies Record<keyof ImportDeviation, string>

/** The columns that say how an occasion went: a row with any of them filled in needs a result. */
const reportKeys = [...Object.values(reportColumnOf).filter((key) => key !== 'result'), 'reportedOn']

export interface ControlCheck {
  /** Each imported deviation by the name a measure's origin gives it (deviationOriginLabel). */
  deviationsByOrigin: Map<string, ImportDeviation[]>
  rowCount: number
  badRowCount: number
}

/**
 * Reads the controls onto the risks they name, and the occasions and deviations onto their controls, noting
 * every problem by sheet, row and column. A row with a problem is left out, and so are the rows that name it.
 */
export function checkControls(
  sheets: ParsedSheet[],
  mapping: Mapping,
  context: {
    year: number
    /** The risk of a title among those imported, or why there is none. */
    riskNamed: (title: string, what: string) => { risk: ImportRisk } | { problem: string }
    units: ReturnType<typeof ownerUnits>
    problems: Problem[]
    warnings: Problem[]
  },
): ControlCheck {
  const { problems, warnings } = context
  const result: ControlCheck = { deviationsByOrigin: new Map(), rowCount: 0, badRowCount: 0 }
  /**
   * The rows of a sheet, each with a reader and whether the row has a problem by now; the row is counted bad once
   * the loop's body has run for it. A sheet with every column left out is not read.
   */
  function* rowsOf(kind: SheetKind) {
    const sheet = sheets.find((s) => s.kind === kind)
    const fields = mapping[kind] ?? []
    if (!sheet || fields.every((f) => f === '')) return
    for (const row of sheet.rows) {
      result.rowCount++
      const before = problems.length
      const reader = rowReader(sheet, fields, row, problems)
      const bad = () => problems.length > before
      yield { reader, bad }
      if (bad()) result.badRowCount++
    }
  }

  const controls: { control: ImportControl; risk: ImportRisk }[] = []
  const leftOutControls = new Set<string>()
  for (const { reader, bad } of rowsOf('controls')) {
    const { cell, parse, problem } = reader
    const riskTitle = parse('risk', cells.riskTitle)
    const named = riskTitle === undefined ? undefined : context.riskNamed(riskTitle, 'kontrollmomentet')
    if (named && 'problem' in named) problem('risk', named.problem)
    const title = parse('title', cells.title)
    const whatIsChecked = parse('whatIsChecked', cells.text)
    const method = methodOf(reader)
    const frequency = cell('frequency') === '' ? undefined : fromList(controlFrequencies, cell('frequency'))
    if (!frequency) {
      problem(
        'frequency',
        cell('frequency') === ''
          ? `Kontrollmomentet saknar frekvens. Ange ${labels(controlFrequencies)}.`
          : `Okänd frekvens ”${cell('frequency')}”. Ange ${labels(controlFrequencies)}.`,
      )
    }
    const owner = parse('owner', cells.owner)
    if (owner) context.units.check(reader, 'owner', owner)
    const responsiblePerson = parse('responsiblePerson', cells.name)
    // A sheet without the column is a plan whose controls all go to the committee that adopts it.
    const reportedTo = cell('reportedTo') === '' ? 'committee' : fromList(reportedToOptions, cell('reportedTo'))
    if (!reportedTo) {
      problem('reportedTo', `Rapporteras till ska vara ${labels(reportedToOptions)}, inte ”${cell('reportedTo')}”.`)
    }
    if (bad() || !named || 'problem' in named || !title || !method || !frequency || !owner || !reportedTo) {
      leftOutControls.add(normalise(cell('title')))
      continue
    }
    const control: ImportControl = {
      title,
      whatIsChecked: whatIsChecked ?? '',
      ...method,
      frequency,
      owner,
      responsiblePerson: responsiblePerson ?? '',
      reportedTo,
      runs: [],
    }
    named.risk.controls.push(control)
    controls.push({ control, risk: named.risk })
    if (method.method === 'own' && method.methodOwn !== '') {
      const message = `Kontrollmetoden är ingen av ${labels(controlMethods.filter((m) => m.code !== 'own'))}; den importeras som nämndens egen metod.`
      warnings.push({ sheet: reader.sheet.name, line: reader.line, column: reader.column('method'), message })
    }
  }

  /** The control and occasion a row of the occasions' or deviations' sheet names, or undefined after noting why not. */
  function occasionOf(reader: RowReader, what: string) {
    const { cell, parse, problem } = reader
    const title = parse('control', cells.control)
    const occasion = parse('occasion', cells.occasion)
    if (title === undefined) return undefined
    const riskTitle = cell('risk')
    const underRisk = riskTitle === '' ? '' : ` under risken ”${riskTitle}”`
    const named = controls.filter(
      (c) =>
        normalise(c.control.title) === normalise(title) &&
        (riskTitle === '' || normalise(c.risk.title) === normalise(riskTitle)),
    )
    const [found] = named
    if (!found) {
      problem(
        'control',
        leftOutControls.has(normalise(title))
          ? `Kontrollmomentet ”${title}” har fel och utelämnas. Rätta det, så kommer ${what} med.`
          : `Inget kontrollmoment som importeras heter ”${title}”${underRisk}.`,
      )
      return undefined
    }
    // The limit of a round trip: a file names a control by its title and risk, not by a number of its own, so two
    // controls of one title under one risk import, but neither gets its occasions or deviations. The problem says
    // so, and the remedy.
    if (named.length > 1) {
      const remedy =
        riskTitle === ''
          ? 'Ange risken i kolumnen Risk, eller ge kontrollmomenten olika rubriker'
          : 'Ge kontrollmomenten olika rubriker'
      problem(
        'control',
        `${named.length} kontrollmoment som importeras heter ”${title}”${underRisk}, och ${what} hittar sitt kontrollmoment bara genom rubriken och risken. ${remedy}.`,
      )
      return undefined
    }
    const frequency = controlFrequencies.find((f) => f.code === found.control.frequency)
    if (occasion === undefined || !frequency) return undefined
    if (occasion > frequency.occasions) {
      const occasions = frequency.occasions === 1 ? '1 tillfälle' : `${frequency.occasions} tillfällen`
      problem(
        'occasion',
        `Kontrollmomentet ”${title}” görs ${frequency.label.toLocaleLowerCase('sv-SE')} och har ${occasions} om året; tillfälle ${occasion} finns inte.`,
      )
      return undefined
    }
    return { control: found.control, occasion }
  }

  /** Where each control's occasions were given, to name the row of a repeated one and of one left out. */
  const runLines = new Map<ImportControl, Map<number, number>>()
  const leftOutRuns = new Map<ImportControl, Set<number>>()
  for (const { reader, bad } of rowsOf('runs')) {
    const { cell, parse, problem } = reader
    const named = occasionOf(reader, 'tillfället')
    const plannedDate = parse('plannedDate', optionalDate)
    const resultText = cell('result')
    const runResult = resultText === '' ? null : fromList(runResults, resultText)
    if (runResult === undefined) problem('result', `Okänt resultat ”${resultText}”. Ange ${labels(runResults)}.`)
    const samplingText = cell('sampling')
    const sampling = samplingText === '' ? '' : fromList(samplings, samplingText)
    if (sampling === undefined) problem('sampling', `Okänd urvalsmetod ”${samplingText}”. Ange ${labels(samplings)}.`)
    let report: RunReport | undefined
    if (runResult === null && reportKeys.some((key) => cell(key) !== '')) {
      problem(
        'result',
        `Tillfället har uppgifter om hur det gick men inget resultat. Ange ${labels(runResults)}, eller töm de andra kolumnerna.`,
      )
    } else if (runResult) {
      const reportedOn = parse('reportedOn', optionalDate)
      const input = Object.fromEntries(Object.entries(reportColumnOf).map(([field, key]) => [field, cell(key)]))
      const fields = reader.parseFields(
        runReport,
        { ...input, result: runResult, sampling: sampling ?? '' },
        reportColumnOf,
        sampling === undefined ? ['sampling'] : [],
      )
      if (fields && reportedOn !== undefined) report = { ...fields, reported_on: reportedOn }
    }
    if (named) {
      const lines = runLines.get(named.control) ?? new Map<number, number>()
      runLines.set(named.control, lines)
      const earlier = lines.get(named.occasion)
      if (earlier !== undefined) {
        problem(
          'occasion',
          `Tillfälle ${named.occasion} av kontrollmomentet ”${named.control.title}” står redan på rad ${earlier}.`,
        )
      } else lines.set(named.occasion, reader.line)
    }
    if (bad() || !named || plannedDate === undefined || runResult === undefined || (runResult && !report)) {
      // A deviation of the occasion is left out with it, unless the occasion is imported from an earlier row.
      if (named && !named.control.runs.some((r) => r.occasion === named.occasion)) {
        leftOutRuns.set(named.control, (leftOutRuns.get(named.control) ?? new Set()).add(named.occasion))
      }
      continue
    }
    named.control.runs.push({ occasion: named.occasion, plannedDate, report: report ?? null, deviations: [] })
    // What the form would not keep either: the day and sample of a control not performed, the reason of one that was.
    for (const [field, key] of Object.entries(reportColumnOf)) {
      const kept = report?.[field as keyof typeof reportColumnOf]
      if (!report || cell(key) === '' || (kept !== null && kept !== '')) continue
      const message =
        report.result === 'not_performed'
          ? 'Kontrollen genomfördes inte, så det här värdet importeras inte: ett tillfälle som inte genomfördes har inget datum eller stickprov.'
          : 'Skälet importeras inte: det hör bara till ett tillfälle som inte genomfördes (Ej genomförd).'
      warnings.push({ sheet: reader.sheet.name, line: reader.line, column: reader.column(key), message })
    }
    const plannedYear = plannedDate?.slice(0, 4)
    if (plannedYear && Number(plannedYear) !== context.year) {
      const message = `Tillfället är planerat ${plannedYear}, inte i planens år ${context.year}. Ska tillfällena i stället planeras efter frekvensen, välj Används inte för kolumnerna på bladet ${reader.sheet.name}.`
      warnings.push({ sheet: reader.sheet.name, line: reader.line, column: reader.column('plannedDate'), message })
    }
  }

  for (const { reader, bad } of rowsOf('deviations')) {
    const { cell, problem } = reader
    const named = occasionOf(reader, 'avvikelsen')
    const noted: string[] = []
    if (cell('description') === '') {
      problem('description', 'Avvikelsen saknar beskrivning: kolumnen Avvikelse är tom.')
      noted.push('description')
    }
    const severityText = cell('severity')
    const severity = severityText === '' ? undefined : fromList(severities, severityText)
    if (!severity) {
      problem(
        'severity',
        severityText === ''
          ? `Avvikelsen saknar allvarlighetsgrad. Ange ${labels(severities)}.`
          : `Okänd allvarlighetsgrad ”${severityText}”. Ange ${labels(severities)}.`,
      )
      noted.push('severity')
    }
    const decisionText = cell('decision')
    const decision = decisionText === '' ? '' : fromList(deviationDecisions, decisionText)
    if (decision === undefined) {
      problem('decision', `Okänt beslut ”${decisionText}”. Ange ${labels(deviationDecisions)}.`)
      noted.push('decision')
    }
    const deviation = reader.parseFields(
      runDeviation,
      {
        description: cell('description'),
        severity: severity ?? '',
        decision: decision ?? '',
        no_measure_reason: cell('noMeasureReason'),
      },
      deviationColumnOf,
      noted,
    )
    const run = named ? named.control.runs.find((r) => r.occasion === named.occasion) : undefined
    if (named && leftOutRuns.get(named.control)?.has(named.occasion)) {
      problem(
        'occasion',
        `Tillfälle ${named.occasion} av kontrollmomentet ”${named.control.title}” har fel och utelämnas. Rätta det, så kommer avvikelsen med.`,
      )
    } else if (named && run?.report?.result !== 'deviations') {
      // As on the run's page: a deviation is recorded for an occasion reported to have found some.
      problem('occasion', 'Avvikelser registreras bara vid ett tillfälle med resultatet Med avvikelser.')
    }
    if (bad() || !named || !run || !deviation) continue
    run.deviations.push(deviation)
    const origin = normalise(
      deviationOriginLabel({
        control: named.control.title,
        occasion: named.occasion,
        description: deviation.description,
      }),
    )
    result.deviationsByOrigin.set(origin, [...(result.deviationsByOrigin.get(origin) ?? []), deviation])
  }
  return result
}
/** The method by its label, or the committee's own words for one. */
function methodOf({ cell, parse, problem }: RowReader): { method: ControlMethod; methodOwn: string } | undefined {
  const text = cell('method')
  if (text === '') {
    problem('method', `Kontrollmomentet saknar kontrollmetod. Ange ${labels(controlMethods)} eller en egen metod.`)
    return undefined
  }
  const method = fromList(controlMethods, text)
  if (method) return { method, methodOwn: '' }
  const own = parse('method', cells.methodOwn)
  return own === undefined ? undefined : { method: 'own', methodOwn: own }
}
