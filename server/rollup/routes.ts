import { type Request, type Response, Router } from 'express'
import type { Services } from '../app.js'
import { swedishDate } from '../dates.js'
import { formState, parseForm } from '../forms.js'
import { keptUntilChange } from '../kept-figures.js'
import { toXlsx } from '../spreadsheets/export.js'
import { consequenceScale, likelihoodScale, measureStatuses, scoreBand } from '../vocabulary.js'
import { rollupFileName, rollupTables } from './export.js'
import { rollupFigures } from './figures.js'
import { listAdministrationsOf, listRisksInCell, type RollupScope } from './repository.js'
import { requireMunicipality } from './require-municipality.js'
import { cellFrom, rollupFilter } from './schema.js'
import { cellRisks, lightColumns, rollupBreadcrumbs, rollupHref, withCellLinks } from './view-model.js'

/** The most risks a matrix cell's page lists: a page stays quick however many plans share one cell. */
const cellRiskLimit = 500

/** Kommunstyrelsen's oversight (uppsiktsplikt): every committee's and company's plan of a year, for the municipality. */
export function rollupRoutes({ db, clock }: Services): Router {
  const router = Router()

  /** The municipality, year and filter of the address, or the 404, 403 or filter errors that stop it. */
  async function rollupOf(req: Request, res: Response) {
    const { municipality, year } = await requireMunicipality(db, req.params, res, 'read')
    const administrations = await listAdministrationsOf(db, municipality.id)
    const parsed = parseForm(rollupFilter(administrations.map((a) => a.id)), req.query)
    return { municipality, year, administrations, parsed }
  }

  const kept = keptUntilChange<Awaited<ReturnType<typeof rollupFigures>>>(db, 200)
  const figures = (scope: RollupScope) => {
    const today = swedishDate(clock())
    return kept(`${scope.municipalityId} ${scope.year} ${scope.administrationId} ${today}`, () =>
      rollupFigures(db, scope, today),
    )
  }

  /** The page, or (with a filter that is not valid) the page with the filter's errors and nothing counted. */
  async function renderPage(req: Request, res: Response, of: Awaited<ReturnType<typeof rollupOf>>) {
    const { municipality, year, administrations, parsed } = of
    const administrationId = parsed.ok ? parsed.value.forvaltning : null
    const shown = parsed.ok ? await figures({ municipalityId: municipality.id, year, administrationId }) : undefined
    res.status(parsed.ok ? 200 : 400).render('rollup/index', {
      title: `Sammanställning av intern kontroll ${year} – ${municipality.name}`,
      breadcrumbs: [{ href: '/', text: 'Översikt' }],
      municipality,
      year,
      previous: { year: year - 1, href: rollupHref(municipality.id, year - 1, administrationId) },
      next: { year: year + 1, href: rollupHref(municipality.id, year + 1, administrationId) },
      administrationOptions: administrations.map((a) => ({ value: a.id, label: a.name })),
      administration: administrations.find((a) => a.id === administrationId),
      action: rollupHref(municipality.id, year, null),
      exportHref: rollupHref(municipality.id, year, administrationId, '/exportera/xlsx'),
      reportHref: rollupHref(municipality.id, year, administrationId, '/sammanstallning'),
      statuses: measureStatuses,
      lightColumns,
      shown: shown && {
        ...shown,
        matrix: withCellLinks(shown.matrix, (likelihood, consequence) =>
          rollupHref(municipality.id, year, administrationId, `/risker/${likelihood}/${consequence}`),
        ),
      },
      ...formState(req.query, parsed.ok ? {} : parsed.errors),
    })
  }

  router.get('/:municipalityId/:year', async (req, res) => {
    await renderPage(req, res, await rollupOf(req, res))
  })

  // A matrix cell's count, as the risks behind it: each committee's and company's risks scored in that cell.
  router.get('/:municipalityId/:year/risker/:likelihood/:consequence', async (req, res) => {
    const of = await rollupOf(req, res)
    const { municipality, year, administrations, parsed } = of
    const cell = cellFrom(req.params)
    // A link with a filter that is not valid gets the roll-up and its error, where the filter can be put right.
    if (!parsed.ok) return renderPage(req, res, of)
    const administrationId = parsed.value.forvaltning
    const scope = { municipalityId: municipality.id, year, administrationId }
    const risks = await listRisksInCell(db, scope, cell, cellRiskLimit + 1)
    const score = cell.likelihood * cell.consequence
    res.render('rollup/risks', {
      title: `Risker med sannolikhet ${cell.likelihood} och konsekvens ${cell.consequence} – ${municipality.name} ${year}`,
      breadcrumbs: rollupBreadcrumbs(municipality.id, year, administrationId),
      municipality,
      year,
      administration: administrations.find((a) => a.id === administrationId),
      likelihood: `${cell.likelihood} ${likelihoodScale[cell.likelihood - 1]}`,
      consequence: `${cell.consequence} ${consequenceScale[cell.consequence - 1]}`,
      score,
      band: scoreBand(score),
      risks: cellRisks(risks.slice(0, cellRiskLimit)),
      cutShort: risks.length > cellRiskLimit,
      limit: cellRiskLimit,
      backHref: rollupHref(municipality.id, year, administrationId),
    })
  })

  router.get('/:municipalityId/:year/exportera/xlsx', async (req, res) => {
    const of = await rollupOf(req, res)
    const { municipality, year, parsed } = of
    // A link with a filter that is not valid gets the page and its error, where the filter can be put right.
    if (!parsed.ok) return renderPage(req, res, of)
    const { rows, matrix } = await figures({
      municipalityId: municipality.id,
      year,
      administrationId: parsed.value.forvaltning,
    })
    res
      .attachment(rollupFileName(municipality.name, year))
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await toXlsx(rollupTables(rows, matrix)))
  })

  return router
}
