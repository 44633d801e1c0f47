import { audited } from '../../server/audit/audited.js'
import type { Actor } from '../../server/audit/repository.js'
import { addDays } from '../../server/dates.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { createItem } from '../../server/municipal/push-down.js'
import { listCopies } from '../../server/municipal/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { updateReview } from '../../server/reviews/repository.js'
import { updateRisk } from '../../server/risks/repository.js'
import type { Db } from '../connection.js'
import type { MeasureStatus } from '../schema.js'

// The demo's municipality-wide review (kommungemensam granskning) of the year the demo is loaded in, decided by
// kommunstyrelsen for all three demo plans and followed up differently in each, so that the coordinator's
// side-by-side page shows something to compare. Invented. Made through the same functions as the pages, audited.

interface FollowUp {
  likelihood: number
  consequence: number
  /** The committee's decision on the review, days from the loading day; none: not decided yet. */
  decidedInDays?: number
  minutesParagraph?: number
  result?: string
  measure?: { title: string; whatToDo: string; owner: string; status: MeasureStatus; dueInDays: number }
}

const followUps: Record<string, FollowUp> = {
  Grundskolenämnden: {
    likelihood: 3,
    consequence: 3,
    decidedInDays: -14,
    minutesParagraph: 41,
    result:
      'Stickprov på 40 anställda: 6 hade en bisyssla som inte var anmäld, 2 av dem med en verksamhet som säljer till förvaltningen.\n\n' +
      '- Rutinen för anmälan är känd av de flesta chefer, men inte av nyanställda.\n' +
      '- Ingen årlig påminnelse skickas ut.',
    measure: {
      title: 'Årlig påminnelse om anmälan av bisysslor',
      whatToDo: 'Förvaltningen skickar varje år i februari en påminnelse till alla anställda om att anmäla bisysslor.',
      // A unit no demo account belongs to: the owners' own lists stay as the other tests know them.
      owner: 'Grundskolenämnden',
      status: 'in_progress',
      dueInDays: 45,
    },
  },
  Förskolenämnden: {
    likelihood: 2,
    consequence: 3,
    result: 'Stickprov på 25 anställda: alla bisysslor var anmälda, men 4 anmälningar saknade chefens bedömning.',
    measure: {
      title: 'Chefens bedömning av anmälda bisysslor',
      whatToDo: 'Kansliavdelningen lägger in chefens bedömning som obligatoriskt steg i anmälan.',
      owner: 'Kansliavdelningen',
      status: 'not_started',
      dueInDays: -10,
    },
  },
  // The company has scored the risk and not reviewed yet.
  'Malmö Stadsfastigheter AB': { likelihood: 2, consequence: 2 },
}

/** Makes the review for every committee and company of the municipality, and each one's follow-up of it. */
export async function insertMunicipalItemDemo(trx: Db, actor: Actor, today: string, municipalityId: number) {
  const year = Number(today.slice(0, 4))
  const committees = await trx
    .selectFrom('committee')
    .select('id')
    .where('municipality_id', '=', municipalityId)
    .orderBy('id')
    .execute()
  const itemId = await createItem(
    trx,
    actor,
    {
      municipality_id: municipalityId,
      year,
      kind: 'review',
      title: 'Hantering av bisysslor',
      description:
        'Risk för att anställdas bisysslor inte anmäls eller bedöms på grund av okända rutiner, vilket kan leda till ' +
        'jäv, förtroendeskada och otillåten påverkan. Varje nämnd och bolag granskar ett stickprov av sina anställda ' +
        'och redovisar resultatet till kommunstyrelsen.',
      treatment: 'review',
      diary_number: `KS ${year}/0412`,
    },
    committees.map((c) => c.id),
  )
  for (const copy of await listCopies(trx, itemId)) {
    const followUp = followUps[copy.committeeName]
    if (!followUp) continue
    const { planId } = copy
    await audited(trx, actor, 'update', { entity: 'risk', id: copy.riskId, planId }, () =>
      updateRisk(trx, copy.riskId, copy.riskVersion, {
        likelihood: followUp.likelihood,
        consequence: followUp.consequence,
      }),
    )
    const reviewId = copy.reviewId
    if (reviewId !== null && (followUp.result || followUp.decidedInDays !== undefined)) {
      await audited(trx, actor, 'update', { entity: 'review', id: reviewId, planId }, () =>
        updateReview(trx, reviewId, copy.reviewVersion as number, {
          result: followUp.result ?? '',
          meeting_date: followUp.decidedInDays === undefined ? null : addDays(today, followUp.decidedInDays),
          minutes_paragraph: followUp.minutesParagraph ?? null,
        }),
      )
    }
    const measure = followUp.measure
    if (!measure) continue
    const unit = await trx
      .selectFrom('owner_unit')
      .innerJoin('committee', 'committee.administration_id', 'owner_unit.administration_id')
      .select('owner_unit.id')
      .where('committee.id', '=', copy.committeeId)
      .where('owner_unit.name', '=', measure.owner)
      .executeTakeFirstOrThrow()
    await audited(trx, actor, 'create', { entity: 'measure', planId }, async () =>
      insertMeasure(
        trx,
        {
          risk_id: copy.riskId,
          title: measure.title,
          what_to_do: measure.whatToDo,
          progress: '',
          owner_unit_id: unit.id,
          responsible_person: '',
          due_date: addDays(today, measure.dueInDays),
          status: measure.status,
          position: await nextPosition(trx, 'measure', copy.riskId),
        },
        actor.at,
      ),
    )
  }
}
