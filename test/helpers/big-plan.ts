import type { Db } from '../../db/connection.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { insertPlan } from '../../server/plans/repository.js'
import { insertRisk } from '../../server/risks/repository.js'
import { measureStatuses } from '../../server/vocabulary.js'

// A plan of several hundred measures whose texts vary as real ones do (none, one line, paragraphs, lists,
// a sub-heading, a text longer than a page), so a report of it puts every kind of text at a page's end.

const words = (
  'förvaltningen rutinen kontrollen chefer medarbetare uppföljning dokumentation utbildning skolenheter ' +
  'rektorer handläggning avvikelser rapportering systematiskt kvalitetsarbete elevhälsan likvärdighet ' +
  'bedömning betygssättning analys underlag sekretess informationsinsats introduktion handlingsplan'
).split(' ')

/** Deterministic, so a failing page can be found again. */
function numbers(seed: number) {
  let state = seed
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state >>> 8) % below // the low bits of this generator repeat quickly
  }
}

type Pick = ReturnType<typeof numbers>

const sentence = (pick: Pick, n: number) => {
  const text = Array.from({ length: 4 + pick(10) }, () => words[pick(words.length)]).join(' ')
  return `Mening ${n} om ${text}.`
}
const paragraph = (pick: Pick, sentences: number) =>
  Array.from({ length: sentences }, (_, i) => sentence(pick, i + 1)).join(' ')
const list = (pick: Pick, items: number) =>
  Array.from({ length: items }, (_, i) => `- Punkt ${i + 1}: ${sentence(pick, 1)}`).join('\n')

/** One of the kinds of text a measure's fields hold, out of ten: the shorter ones the more common. */
function variedText(pick: Pick): string {
  const kind = pick(10)
  if (kind === 0) return ''
  if (kind <= 2) return kind === 1 ? 'Klart enligt plan.' : sentence(pick, 1)
  if (kind <= 4) return Array.from({ length: 2 + pick(3) }, () => paragraph(pick, 1 + pick(4))).join('\n\n')
  if (kind === 5) return `${paragraph(pick, 1)}\n\n${list(pick, 3 + pick(10))}`
  if (kind === 6) return `${list(pick, 2 + pick(6))}\n\n${paragraph(pick, 2)}`
  if (kind === 7)
    return `### Delrapport\n\n${paragraph(pick, 3)}\n\n### Resultat\n\n${list(pick, 4)}\n\n${paragraph(pick, 2)}`
  // A text longer than a page now and then.
  return paragraph(pick, kind === 8 ? 6 + pick(10) : 40 + pick(20))
}

/** A plan of the demo committee with `risks` risks of 2–12 measures each; returns its id and the measure count. */
export async function aBigPlan(db: Db, options: { risks: number; year?: number; seed?: number }) {
  const pick = numbers(options.seed ?? 7)
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  const units = await db.selectFrom('owner_unit').select('id').execute()
  return db.transaction().execute(async (trx) => {
    const year = options.year ?? 2099
    const planId = await insertPlan(trx, {
      committee_id: committee.id,
      year,
      title: `Internkontrollplan ${year}`,
      introduction: paragraph(pick, 4),
      measures_introduction: paragraph(pick, 2),
      adopted_meeting_date: null,
      adopted_minutes_paragraph: null,
    })
    let measures = 0
    for (let r = 0; r < options.risks; r++) {
      const riskId = await insertRisk(trx, {
        plan_id: planId,
        title: `Risk ${r + 1} för ${Array.from({ length: 2 + pick(12) }, () => words[pick(words.length)]).join(' ')}`,
        description: r % 3 === 0 ? paragraph(pick, 1) : paragraph(pick, 2 + pick(5)),
        likelihood: pick(5) || null,
        consequence: pick(4) + 1,
        treatment: 'review',
        scope: 'committee',
        position: r + 1,
      })
      const count = 2 + pick(11)
      for (let m = 0; m < count; m++) {
        measures++
        await insertMeasure(
          trx,
          {
            risk_id: riskId,
            title: `Åtgärd ${measures}: ${Array.from({ length: 2 + pick(16) }, () => words[pick(words.length)]).join(' ')}`,
            what_to_do: variedText(pick),
            progress: variedText(pick),
            owner_unit_id: units[pick(units.length)]?.id as number,
            responsible_person: '',
            due_date: pick(4) === 0 ? null : `${year - 1 + pick(2)}-${String(1 + pick(12)).padStart(2, '0')}-15`,
            status: measureStatuses[pick(measureStatuses.length)]?.code ?? 'in_progress',
            position: m + 1,
          },
          '2021-01-01T00:00:00.000Z',
        )
      }
    }
    return { planId, measures }
  })
}
