import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// The start page and the roll-up count a plan's measures per status, and how many are overdue, over thousands of
// measures (issue 18). A measure's row holds its long texts before its due date and status, so reading those two
// reads the whole row; this index holds them beside the risk: the counts are answered from it alone, and the lists of
// overdue and coming measures read the rows of those due in their range only. The same for a risk's score, which the
// roll-up reads for every risk of a year.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('measure_risk_due_idx').on('measure').columns(['risk_id', 'due_date', 'status']).execute()
  await db.schema
    .createIndex('risk_plan_score_idx')
    .on('risk')
    .columns(['plan_id', 'likelihood', 'consequence'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('risk_plan_score_idx').execute()
  await db.schema.dropIndex('measure_risk_due_idx').execute()
}
