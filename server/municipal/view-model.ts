import type { CommitteeKind } from '../../db/schema.js'
import {
  committeeKinds,
  decisionBody,
  isOverdue,
  labelOf,
  municipalItemKinds,
  riskScore,
  riskTreatments,
  swedishOrder,
} from '../vocabulary.js'

import type { Copy, listCommitteesOf, listMeasuresOfCopies, listMunicipalItems } from './repository.js'
import { workInCopy } from './work-in-copy.js'

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

type Committee = Awaited<ReturnType<typeof listCommitteesOf>>[number]

/** "/kommun/1/2026/gemensamma", and below it an item's pages. */
export const itemsHref = (municipalityId: number, year: number, suffix = '') =>
  `/kommun/${municipalityId}/${year}/gemensamma${suffix}`

const kindOrder: CommitteeKind[] = ['committee', 'company']
const byKindAndName = (a: Committee, b: Committee) =>
  kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || swedishOrder.compare(a.name, b.name)

/** The municipality's committees and then its companies, each group by name, as checkboxes to choose from. */
export function committeeGroups(committees: Committee[]) {
  return kindOrder
    .map((kind) => ({
      legend: kind === 'committee' ? 'Nämnder' : 'Bolag',
      options: committees
        .filter((c) => c.kind === kind)
        .sort(byKindAndName)
        .map((c) => ({ value: c.id, label: c.name })),
    }))
    .filter((g) => g.options.length > 0)
}

export function itemRows(items: Awaited<ReturnType<typeof listMunicipalItems>>, municipalityId: number, year: number) {
  return items.map((item) => ({
    ...item,
    href: itemsHref(municipalityId, year, `/${item.id}`),
    kindLabel: labelOf(municipalItemKinds, item.kind),
    committeeCount: Number(item.committeeCount),
  }))
}

/**
 * One column per chosen committee and company (committees first, each kind by name): its copy's plan, risk score,
 * for a review the committee's decision and result, and the measures it decided under the copy; or that its plan
 * of the year is not made yet.
 */
export function sideBySide(
  chosen: Committee[],
  copies: Copy[],
  measures: Awaited<ReturnType<typeof listMeasuresOfCopies>>,
  today: string,
) {
  return [...chosen].sort(byKindAndName).map((committee) => {
    const copy = copies.find((c) => c.committeeId === committee.id)
    const base = {
      name: committee.name,
      kind: labelOf(committeeKinds, committee.kind),
      // "Nämndens beslut", or a company board's: "Styrelsens beslut".
      decisionHeading: `${capitalised(decisionBody(committee.kind))}s beslut`,
    }
    if (!copy) return { ...base, copy: null }
    const scored = riskScore(copy.likelihood, copy.consequence)
    const own = measures.filter((m) => m.risk_id === copy.riskId)
    return {
      ...base,
      copy: {
        planTitle: copy.planTitle,
        href: `/planer/${copy.planId}/risker/${copy.riskId}`,
        score: scored?.score ?? null,
        band: scored?.band ?? null,
        likelihood: copy.likelihood,
        consequence: copy.consequence,
        review:
          copy.reviewId === null
            ? null
            : {
                href: `/planer/${copy.planId}/granskningar`,
                meetingDate: copy.meetingDate,
                minutesParagraph: copy.minutesParagraph,
                result: copy.result ?? '',
              },
        controlCount: Number(copy.controlCount),
        measures: own.map((m) => ({
          ...m,
          href: `/planer/${copy.planId}/atgarder/${m.id}`,
          overdue: isOverdue(m, today),
        })),
        overdueCount: own.filter((m) => isOverdue(m, today)).length,
        hasWork: workInCopy(copy).length > 0,
      },
    }
  })
}

export const treatmentOptions = riskTreatments.map((t) => ({ value: t.code, label: t.label }))
export const kindOptions = municipalItemKinds.map((k) => ({ value: k.code, label: k.label }))
