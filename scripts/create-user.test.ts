import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isPostgresUrl, openDatabase } from '../db/connection.js'
import { verifyAudit } from '../server/audit/verify.js'
import { verifyPassword } from '../server/auth/passwords.js'
import { developmentAuditKey } from '../server/config.js'
import { freshDatabaseLocation } from '../test/helpers/test-database.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-create-user-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `npm run user:create` in a process of its own, the password typed on standard input as an operator would. */
function createUser(location: string, email: string, password: string) {
  const where = isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_FILE: location }
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      'node_modules/.bin/tsx',
      ['scripts/create-user.ts', '--email', email, '--name', 'Anna Andersson', '--admin'],
      { env: { PATH: process.env.PATH, NODE_ENV: 'test', ...where } },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    )
    child.stdin?.end(`${password}\n`)
  })
}

describe('user:create', () => {
  it('refuses a password against the rules in Swedish, and creates the account with one exactly as typed', async () => {
    const location = await freshDatabaseLocation(join(dir, 'users.sqlite'))
    const email = 'anna.andersson@malmo.se'
    const refusals = [
      ['kort', 'Lösenordet ska vara minst 12 tecken långt.'],
      [' ett långt lösenord', 'Lösenordet får inte börja eller sluta med mellanslag.'],
      ['password1234', 'Lösenordet är ett av de vanligaste lösenorden och gissas lätt.'],
      ['Anna.Andersson-2026', 'Lösenordet får inte vara eller innehålla namnet i e-postadressen (anna.andersson).'],
    ]
    for (const [password, message] of refusals) {
      const refused = await createUser(location, email, password as string)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(message)
    }
    const created = await createUser(location, email, 'ett  långt lösenord')
    expect(created).toMatchObject({ code: 0, stdout: `Created ${email}.\n` })
    const db = openDatabase(location)
    try {
      const users = await db.selectFrom('app_user').select(['email', 'password_hash']).execute()
      expect(users.map((u) => u.email)).toEqual([email])
      expect(await verifyPassword('ett  långt lösenord', users[0]?.password_hash as string)).toBe(true)
      expect(await verifyPassword('ett långt lösenord', users[0]?.password_hash as string)).toBe(false)
      expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
    } finally {
      await db.destroy()
    }
  })
})
