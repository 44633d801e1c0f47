import { ForbiddenError } from '../errors.js'

/** The signed-in person and what they may touch. */
export interface Viewer {
  id: number
  email: string
  name: string
  /** administratör: manages users and units, reads everything. */
  isAdmin: boolean
  /** sekreterare: everything in these committees' plans and reports. */
  secretaryOf: ReadonlySet<number>
  /** läsare: reads these committees' plans and final reports. */
  readerOf: ReadonlySet<number>
  /** ansvarig: updates status, progress and due date of these units' measures. */
  unitIds: ReadonlySet<number>
  unitNames: readonly string[]
  /** Committees of the administrations the units belong to, whose plans an ansvarig reads. */
  unitCommittees: ReadonlySet<number>
  /** kommunövergripande samordnare: reads everything of these municipalities. */
  coordinatorOf: ReadonlySet<number>
  /** The committees and companies of those municipalities. */
  coordinatorCommittees: ReadonlySet<number>
}

/**
 * The committees whose records a viewer reads (can.readCommittee), or undefined for the administrator: all. For a
 * query to choose them, instead of reading every record to ask `can` of each.
 */
export const readableCommittees = (viewer: Viewer): number[] | undefined =>
  viewer.isAdmin
    ? undefined
    : [
        ...new Set([
          ...viewer.secretaryOf,
          ...viewer.readerOf,
          ...viewer.unitCommittees,
          ...viewer.coordinatorCommittees,
        ]),
      ]

/** A committee's record: a plan, or an external inspection. */
type CommitteeRecord = { committee_id: number }

export const can = {
  /** Read a committee's plans, reports and external inspections. */
  readCommittee: (v: Viewer, record: CommitteeRecord) =>
    v.isAdmin ||
    v.secretaryOf.has(record.committee_id) ||
    v.readerOf.has(record.committee_id) ||
    v.unitCommittees.has(record.committee_id) ||
    v.coordinatorCommittees.has(record.committee_id),
  /** Read a municipality's roll-up: its administrator and its coordinators. */
  readMunicipality: (v: Viewer, municipalityId: number) => v.isAdmin || v.coordinatorOf.has(municipalityId),
  /**
   * Write the municipality's own records (its municipality-wide reviews and risks, its roll-up report's final
   * versions): its administrator and its coordinators. The copies the items put into the plans stay the committees'
   * to follow up.
   */
  writeMunicipality: (v: Viewer, municipalityId: number) => v.isAdmin || v.coordinatorOf.has(municipalityId),
  /** Change them: the committee's secretary. */
  editCommittee: (v: Viewer, record: CommitteeRecord) => v.secretaryOf.has(record.committee_id),
  createPlans: (v: Viewer) => v.secretaryOf.size > 0,
  readLog: (v: Viewer) => v.isAdmin || v.secretaryOf.size > 0,
  manageUsers: (v: Viewer) => v.isAdmin,
  /**
   * Create owner units in the committee's administration while importing its plan. Elsewhere only an
   * administrator adds units, but a municipality's own sheet names units the app does not have yet, and stopping
   * the import to ask an administrator is what the product chose not to do; each unit so created is audited.
   */
  addUnitsByImport: (v: Viewer, committee: CommitteeRecord) => v.secretaryOf.has(committee.committee_id),
  updateMeasure: (v: Viewer, plan: CommitteeRecord, measure: { owner_unit_id: number }) =>
    v.secretaryOf.has(plan.committee_id) || v.unitIds.has(measure.owner_unit_id),
  /** Report a control's runs and their deviations: the control's responsible unit and the committee's secretary. */
  reportControl: (v: Viewer, plan: CommitteeRecord, control: { owner_unit_id: number }) =>
    v.secretaryOf.has(plan.committee_id) || v.unitIds.has(control.owner_unit_id),
}

/** Stops the request with the 403 page unless the rule allows it. */
export function authorize(allowed: boolean): void {
  if (!allowed) {
    throw new ForbiddenError(
      'Du har inte behörighet till den här sidan eller åtgärden. Kontakta sekreteraren för nämnden eller bolaget om du behöver den.',
    )
  }
}
