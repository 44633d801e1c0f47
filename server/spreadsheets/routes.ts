import { type Request, type Response, Router } from 'express'
import plural from '../../views/helpers/plural.js'
import type { Services } from '../app.js'
import { actorOf } from '../audit/audited.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { swedishDate } from '../dates.js'
import { NotFoundError, ServiceUnavailableError } from '../errors.js'
import { checkbox, type FieldErrors, formState, parseForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { listCommitteeAreas } from '../inspections/repository.js'
import { areaOriginLabel, earlierAreaOriginLabel } from '../inspections/view-model.js'
import { listOwnerUnits } from '../measures/repository.js'
import { setNotice } from '../notice.js'
import { findClashingPlan, listOwnCommittees } from '../plans/repository.js'
import { requirePlan } from '../plans/require-plan.js'
import { defaultTitle, planForm, titlePrefix, yearTaken } from '../plans/schema.js'
import { controlFrequencies, labelOf, swedishList } from '../vocabulary.js'
import { normalise, sheetNames } from './columns.js'
import { exportFileName, planTables, toCsv, toXlsx } from './export.js'
import { type CheckedImport, checkImport } from './import/check.js'
import {
  checkMapping,
  fieldOptions,
  guessMapping,
  type Mapping,
  mappingFromForm,
  selectName,
} from './import/mapping.js'
import { columnName, importLimits, parseSpreadsheet } from './import/parse.js'
import { rowsText, sheetsWithProblems } from './import/problems.js'
import { writeImport } from './import/write.js'
import { findAdministrationOf, findImport, insertImport, type PendingImport, saveMapping } from './repository.js'

/** Downloads of a plan, for anyone who may read it. */
export function exportRoutes({ db }: Services): Router {
  const router = Router({ mergeParams: true })

  router.get('/exportera/xlsx', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const tables = await planTables(db, plan)
    res
      .attachment(exportFileName(plan, 'xlsx'))
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await toXlsx(tables.sheets))
  })

  router.get('/exportera/csv', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const tables = await planTables(db, plan)
    res.attachment(exportFileName(plan, 'csv')).type('text/csv; charset=utf-8').send(toCsv(tables.risks))
  })

  return router
}

/** What the preview says will be created: the risks with their measures and controls, and the counts. */
function contentsOf(checked: CheckedImport) {
  const risks = checked.risks.map((risk) => ({
    title: risk.title,
    measures: risk.measures,
    controls: risk.controls.map((control) => ({
      title: control.title,
      owner: control.owner,
      frequency: labelOf(controlFrequencies, control.frequency),
      occasions: controlFrequencies.find((f) => f.code === control.frequency)?.occasions ?? 0,
      reported: control.runs.filter((run) => run.report !== null).length,
      deviations: control.runs.reduce((n, run) => n + run.deviations.length, 0),
    })),
  }))
  const controls = risks.flatMap((r) => r.controls)
  return {
    risks,
    measureCount: risks.reduce((n, r) => n + r.measures.length, 0),
    controlCount: controls.length,
    reportedRunCount: controls.reduce((n, c) => n + c.reported, 0),
    deviationCount: controls.reduce((n, c) => n + c.deviations, 0),
  }
}

const uploadForm = planForm.pick({ committeeId: true, year: true, title: true })

const uploadMessages: Record<string, string> = {
  LIMIT_FILE_SIZE: `Filen är större än ${importLimits.bytes / 1024 / 1024} MB. Dela upp den, eller ta bort bilder och blad som inte behövs.`,
}

type LoadedImport = PendingImport & { committeeName: string }

const breadcrumbs = [{ href: '/planer', text: 'Internkontrollplaner' }]
const steps = (current: number) =>
  ['Välj fil', 'Kolumner', 'Kontrollera och importera'].map((label, i) => ({ label, current: i + 1 === current }))

/** Import of a new plan from an .xlsx or .csv file in three steps: upload, columns, preview and import. */
export function importRoutes({ db, clock }: Services): Router {
  const router = Router()

  const ownCommittees = (res: Response) => listOwnCommittees(db, viewerOf(res))

  async function renderUpload(res: Response, locals: object, status = 200) {
    const committees = await ownCommittees(res)
    res.status(status).render('spreadsheets/upload', {
      title: 'Importera plan från Excel',
      breadcrumbs,
      steps: steps(1),
      maxMb: importLimits.bytes / 1024 / 1024,
      maxRows: importLimits.rows.toLocaleString('sv-SE'),
      maxCellChars: importLimits.cellChars.toLocaleString('sv-SE'),
      yearTitle: titlePrefix,
      committeeOptions: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      ...locals,
    })
  }

  async function checkPlanChoice(res: Response, value: { committeeId: number; year: number }): Promise<FieldErrors> {
    if (!(await ownCommittees(res)).some((c) => c.id === value.committeeId)) {
      return { committeeId: 'Välj en nämnd i listan.' }
    }
    if (await findClashingPlan(db, value.committeeId, value.year, null)) {
      return { year: yearTaken(value.year) }
    }
    return {}
  }

  router.get('/', async (_req, res) => {
    authorize(can.createPlans(viewerOf(res)))
    const committees = await ownCommittees(res)
    const year = String(Number(swedishDate(clock()).slice(0, 4)) + 1)
    await renderUpload(res, formState({ committeeId: committees[0]?.id, year, title: defaultTitle(year) }))
  })

  router.post('/', async (req, res) => {
    authorize(can.createPlans(viewerOf(res)))
    const parsed = parseForm(uploadForm, req.body)
    const errors: FieldErrors = parsed.ok ? await checkPlanChoice(res, parsed.value) : { ...parsed.errors }
    const uploadError = res.locals.uploadError
    const file = req.file
    let read: Pick<PendingImport, 'format' | 'sheets' | 'planSheet'> | undefined
    let status = 400
    if (uploadError) {
      errors.file =
        uploadMessages[uploadError] ??
        'Filen kom inte fram hel. Välj en Excel-fil (.xlsx) eller CSV-fil och försök igen.'
    } else if (!file) {
      errors.file = 'Välj en Excel-fil (.xlsx) eller CSV-fil att importera.'
    } else {
      try {
        const parsedFile = await parseSpreadsheet(file.buffer)
        if (parsedFile.ok) read = { format: parsedFile.format, sheets: parsedFile.sheets, planSheet: parsedFile.plan }
        else errors.file = parsedFile.message
      } catch (error) {
        if (!(error instanceof ServiceUnavailableError)) throw error
        errors.file = error.message
        status = 503
        res.set('Retry-After', '60')
      }
    }
    if (!parsed.ok || Object.keys(errors).length > 0 || !file || !read) {
      return renderUpload(res, formState(req.body ?? {}, errors), status)
    }
    const id = await insertImport(db, viewerOf(res).id, clock(), {
      ...parsed.value,
      ...read,
      fileName: file.originalname,
      mapping: guessMapping(read.sheets),
    })
    res.redirect(303, `/planer/importera/${id}/kolumner`)
  })

  /** The person's own upload, for a committee they still keep, with its name; anyone else's is not found. */
  async function load(req: Request, res: Response): Promise<LoadedImport> {
    const viewer = viewerOf(res)
    authorize(can.createPlans(viewer))
    const pending = await findImport(db, viewer.id, idFrom(req.params.importId, 'Importen'), clock())
    if (!pending) throw new NotFoundError('Importen')
    const committee = (await ownCommittees(res)).find((c) => c.id === pending.committeeId)
    authorize(committee !== undefined)
    return { ...pending, committeeName: committee?.name ?? '' }
  }

  const importHref = (pending: PendingImport) => `/planer/importera/${pending.id}`

  function renderMapping(res: Response, pending: PendingImport, mapping: Mapping, errors: FieldErrors = {}) {
    const sheets = pending.sheets.map((sheet) => ({
      kind: sheet.kind,
      name: sheet.name,
      heading: sheet.kind === 'risks' ? sheetNames.risks : `${sheetNames[sheet.kind]} (bladet ${sheet.name})`,
      rowCount: sheet.rows.length,
      columns: sheet.headers.map((header, i) => {
        const name = selectName(sheet.kind, i)
        return {
          name,
          label: columnName(i, header),
          examples: sheet.rows
            .map((r) => r.cells[i] ?? '')
            .filter((c) => c !== '')
            .slice(0, 2)
            .map((c) => (c.length > 60 ? `${c.slice(0, 60)}…` : c)),
          value: mapping[sheet.kind]?.[i] ?? '',
          error: errors[name],
        }
      }),
      options: fieldOptions(sheet.kind),
    }))
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('spreadsheets/mapping', {
      title: 'Importera plan: kolumner',
      breadcrumbs,
      steps: steps(2),
      pending,
      sheets,
      action: `${importHref(pending)}/kolumner`,
      ...formState({}, errors),
    })
  }

  router.get('/:importId/kolumner', async (req, res) => {
    const pending = await load(req, res)
    renderMapping(res, pending, pending.mapping)
  })

  router.post('/:importId/kolumner', async (req, res) => {
    const pending = await load(req, res)
    const mapping = mappingFromForm(pending.sheets, req.body)
    const errors = checkMapping(pending.sheets, mapping)
    if (Object.keys(errors).length > 0) return renderMapping(res, pending, mapping, errors)
    await saveMapping(db, pending.id, mapping)
    res.redirect(303, `${importHref(pending)}/kontrollera`)
  })

  /** The rows read with the mapping; units the user chose to create count as known (only those the file names are made). */
  async function check(pending: LoadedImport, chosenUnits: string[]) {
    const administration = await findAdministrationOf(db, pending.committeeId)
    const [units, areas] = await Promise.all([
      listOwnerUnits(db, administration.id),
      listCommitteeAreas(db, pending.committeeId),
    ])
    const checked = checkImport(pending, pending.mapping, {
      year: pending.year,
      unitNames: units.map((u) => u.name),
      administrationName: administration.name,
      createUnits: chosenUnits,
      areas: areas.flatMap((a) => [
        { id: a.id, label: areaOriginLabel(a) },
        { id: a.id, label: earlierAreaOriginLabel(a) },
      ]),
    })
    const chosenKeys = new Set(chosenUnits.map(normalise))
    // A unit unknown on two sheets is one unit, by the name first spelt.
    const names = new Map<string, string>()
    for (const unit of checked.unknownUnits)
      if (!names.has(normalise(unit.name))) names.set(normalise(unit.name), unit.name)
    const createUnits = [...names].filter(([key]) => chosenKeys.has(key)).map(([, name]) => name)
    return { checked, createUnits, administration }
  }

  async function renderPreview(
    res: Response,
    pending: LoadedImport,
    result: Awaited<ReturnType<typeof check>>,
    values: { skipErrors?: boolean } = {},
    errors: FieldErrors = {},
  ) {
    const { checked, createUnits, administration } = result
    const fileSheets = [...pending.sheets.map((s) => s.name), ...(pending.planSheet ? [pending.planSheet.name] : [])]
    // A unit's rows on a sheet are one group with its remedy beside it, shown also once it is chosen (so it can be
    // unchosen). A unit named on several sheets is one unit with one checkbox, on the first sheet naming it; the
    // groups of the later sheets point to it. Checkboxes are numbered across the sheets.
    const chosenKeys = new Set(createUnits.map(normalise))
    const firstSheet = new Map<string, string>()
    const unitGroups = checked.unknownUnits.map((unit, index) => {
      const key = normalise(unit.name)
      const first = firstSheet.get(key)
      if (first === undefined) firstSheet.set(key, unit.sheet)
      return {
        index,
        name: unit.name,
        sheet: unit.sheet,
        column: unit.column,
        rows: rowsText(unit.lines),
        chosen: chosenKeys.has(key),
        checkboxOnSheet: first ?? null,
      }
    })
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('spreadsheets/preview', {
      title: 'Importera plan: kontrollera',
      breadcrumbs,
      steps: steps(3),
      pending,
      isCsv: pending.format === 'csv',
      committeeName: pending.committeeName,
      administrationName: administration.name,
      action: `${importHref(pending)}/kontrollera`,
      mappingHref: `${importHref(pending)}/kolumner`,
      ...contentsOf(checked),
      reviews: checked.reviews,
      problemSheets: sheetsWithProblems(fileSheets, checked.problems, unitGroups),
      warningSheets: sheetsWithProblems(fileSheets, checked.warnings),
      problemCount: checked.problems.length,
      badRowCount: checked.badRowCount,
      createUnits,
      ...formState(values, errors),
    })
  }

  const chosen = (value: unknown) =>
    (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')

  router.get('/:importId/kontrollera', async (req, res) => {
    const pending = await load(req, res)
    const errors = checkMapping(pending.sheets, pending.mapping)
    if (Object.keys(errors).length > 0) return renderMapping(res, pending, pending.mapping, errors)
    await renderPreview(res, pending, await check(pending, []))
  })

  router.post('/:importId/kontrollera', async (req, res) => {
    const pending = await load(req, res)
    const result = await check(pending, chosen(req.body.createUnits))
    if (result.createUnits.length > 0) {
      authorize(can.addUnitsByImport(viewerOf(res), { committee_id: pending.committeeId }))
    }
    const skipErrors = checkbox.parse(req.body.skipErrors)
    const { checked } = result
    const errors: FieldErrors = {}
    if (req.body.recount !== undefined) return renderPreview(res, pending, result, { skipErrors })
    if (checked.problems.length > 0 && !skipErrors) {
      errors.skipErrors = `Filen har fel på ${plural(checked.badRowCount, 'rad', 'rader')}. Rätta dem i filen och ladda upp den igen, eller välj att utelämna raderna med fel.`
    } else if (checked.risks.length === 0) {
      errors.skipErrors = 'Det finns inga rader utan fel att importera. Rätta filen och ladda upp den igen.'
    }
    if (Object.keys(errors).length > 0) return renderPreview(res, pending, result, { skipErrors }, errors)
    const planId = await writeImport(
      db,
      actorOf(res, clock),
      { ...pending, administrationId: result.administration.id },
      checked,
    )
    if (planId === null) {
      const taken = `${yearTaken(pending.year)} Börja om och välj ett annat år.`
      return renderPreview(res, pending, result, { skipErrors }, { skipErrors: taken })
    }
    const { measureCount, controlCount } = contentsOf(checked)
    const parts = [plural(checked.risks.length, 'risk', 'risker'), plural(measureCount, 'åtgärd', 'åtgärder')]
    if (controlCount > 0) parts.push(plural(controlCount, 'kontrollmoment', 'kontrollmoment'))
    setNotice(res, `Planen är importerad med ${swedishList(parts)}.`)
    res.redirect(303, `/planer/${planId}`)
  })

  return router
}
