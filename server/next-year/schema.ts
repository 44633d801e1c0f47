import { planForm } from '../plans/schema.js'

/** Next year's plan takes its committee and year from this one; only the title is the secretary's to choose. */
export const nextYearForm = planForm.pick({ title: true })
