// npm run org:add -- --municipality "Malmö stad" --administration "Grundskoleförvaltningen" --prefix GRF
//                     --committee "Grundskolenämnden" --units "HR-avdelningen,Utbildningsområden"
// Registers a committee and the owner units of its administration, so plans can be made for it.
// Running it again with more units adds them; nothing that exists is changed.
import { parseArgs } from 'node:util'
import { openCurrentDatabase } from '../server/audit/baseline.js'
import { loadConfig } from '../server/config.js'
import { ensureOrganisation } from '../server/organisation/repository.js'

const { values } = parseArgs({
  options: {
    municipality: { type: 'string' },
    administration: { type: 'string' },
    prefix: { type: 'string' },
    committee: { type: 'string' },
    units: { type: 'string', default: '' },
  },
})
const { municipality, administration, prefix, committee } = values
if (!municipality || !administration || !prefix || !committee) {
  console.error(
    'Usage: npm run org:add -- --municipality <name> --administration <name> --prefix <diary prefix> ' +
      '--committee <name> [--units "<unit>,<unit>"]',
  )
  process.exit(2)
}

const config = loadConfig()
const db = await openCurrentDatabase(config)
const units = values.units
  .split(',')
  .map((u) => u.trim())
  .filter(Boolean)
await db
  .transaction()
  .execute((trx) =>
    ensureOrganisation(
      trx,
      { userId: null, userName: 'Kommandoraden (org:add)', at: new Date().toISOString() },
      { municipality, administration, diaryPrefix: prefix, committee, units },
    ),
  )
await db.destroy()
console.log(`${committee} (${administration}, ${municipality}) is registered with ${units.length} owner units.`)
