// npm run user:create -- --email anna@malmo.se --name "Anna Andersson" [--admin]
//                        [--secretary "<committee>"] [--reader "<committee>"] [--units "<unit>,<unit>"]
//                        [--coordinator "<municipality>"]
// Creates an account; the password is read from the first line of standard input, exactly as typed, so it stays
// out of the shell history: `npm run user:create -- --email … --name … --admin < password.txt`.
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { audited } from '../server/audit/audited.js'
import { openCurrentDatabase } from '../server/audit/baseline.js'
import { minimumLength, passwordProblem } from '../server/auth/password-rules.js'
import { hashPassword } from '../server/auth/passwords.js'
import { addUnitMember, grantCommitteeRole, grantCoordinatorRole, insertUser } from '../server/auth/repository.js'
import { loadConfig } from '../server/config.js'

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    admin: { type: 'boolean', default: false },
    secretary: { type: 'string', multiple: true, default: [] },
    reader: { type: 'string', multiple: true, default: [] },
    units: { type: 'string', default: '' },
    coordinator: { type: 'string', multiple: true, default: [] },
  },
})
if (!values.email?.includes('@') || !values.name) {
  console.error('Usage: npm run user:create -- --email <e-mail> --name <name> [--admin] [--secretary <committee>]')
  console.error('       [--reader <committee>] [--units "<unit>,<unit>"] [--coordinator <municipality>]')
  console.error('       (the password is read from standard input)')
  process.exit(2)
}

const input = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
if (process.stdin.isTTY) process.stderr.write(`Lösenord (minst ${minimumLength} tecken): `)
const password = await input.question('')
input.close()
// In Swedish, as the prompt: the same words the app's forms use for the same rules.
const problem = passwordProblem(password, values.email)
if (problem) {
  console.error(problem)
  process.exit(2)
}

const config = loadConfig()
const db = await openCurrentDatabase(config)
try {
  const actor = { userId: null, userName: 'Kommandoraden (user:create)', at: new Date().toISOString() }
  const passwordHash = await hashPassword(password)
  await db.transaction().execute((trx) =>
    audited(trx, actor, 'create', { entity: 'app_user', planId: null }, async () => {
      const userId = await insertUser(trx, {
        email: values.email as string,
        name: values.name as string,
        passwordHash,
        isAdmin: values.admin,
        createdAt: new Date().toISOString(),
      })
      const committeeId = async (name: string) => {
        const found = await trx.selectFrom('committee').select('id').where('name', '=', name).executeTakeFirst()
        if (!found) throw new Error(`No committee named ${name}: register it with npm run org:add first.`)
        return found.id
      }
      for (const name of values.secretary) await grantCommitteeRole(trx, userId, await committeeId(name), 'secretary')
      for (const name of values.reader) await grantCommitteeRole(trx, userId, await committeeId(name), 'reader')
      for (const name of values.coordinator) {
        const found = await trx.selectFrom('municipality').select('id').where('name', '=', name).executeTakeFirst()
        if (!found) throw new Error(`No municipality named ${name}: register it with npm run org:add first.`)
        await grantCoordinatorRole(trx, userId, found.id)
      }
      for (const unit of values.units
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean)) {
        const found = await trx.selectFrom('owner_unit').select('id').where('name', '=', unit).executeTakeFirst()
        if (!found) throw new Error(`No owner unit named ${unit}: add it with npm run org:add first.`)
        await addUnitMember(trx, userId, found.id)
      }
      return userId
    }),
  )
  console.log(`Created ${values.email}.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
