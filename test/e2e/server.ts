import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { databaseEnv } from '../../db/connection.js'
import { freshDatabaseLocation, onPostgres } from '../helpers/test-database.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface RunningServer {
  baseUrl: string
  /**
   * Where the server's data is, as `openDatabase` takes it: the SQLite file, or the PostgreSQL database's URL under
   * TEST_DATABASE_URL. For a test that needs rows no page can make (mails a relay refused).
   */
  database: string
  /** What the server has printed so far. */
  output(): string
  stop(): Promise<void>
}

/** A port nobody listens on right now: the OS picks one for port 0, and we let it go again. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })

export interface ServerOptions {
  /** Another instance's database, shared with it; by default a fresh one of its own. */
  database?: string
  /**
   * More of the server's environment, e.g. an AUDIT_ANCHOR_FILE the instances share; or made from the server's own
   * address, e.g. its PUBLIC_URL.
   */
  env?: Record<string, string> | ((baseUrl: string) => Record<string, string>)
}

/** The same in every instance: sessions and CSRF tokens made by one are good in the others. */
const secret = 'e2e-secret-that-is-long-enough-for-the-hmac'

/**
 * The real server (`tsx server/main.ts`) with the demo plan loaded, on a fresh database: an SQLite file, or a
 * PostgreSQL database when TEST_DATABASE_URL is set.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), 'internkontroll-e2e-'))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const database = options.database ?? (onPostgres ? await freshDatabaseLocation() : join(dir, 'e2e.sqlite'))
  // No reminder pass and no mail in the tests: the pages they read do not change with the time of day they run at,
  // and nothing leaves for the developer's relay. Nor is the developer's own database or anchor the test's.
  const {
    SMTP_URL: _relay,
    DATABASE_URL: _url,
    DATABASE_FILE: _file,
    AUDIT_ANCHOR_FILE: _anchor,
    ...environment
  } = process.env
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['server/main.ts'], {
    cwd: root,
    // Its own process group, so that stop() also reaches the node process tsx starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...environment,
      REMINDERS: 'off',
      PORT: String(port),
      ...databaseEnv(database),
      NODE_ENV: 'test',
      DEMO_DATA: 'true',
      SECRET: secret,
      ...(typeof options.env === 'function' ? options.env(baseUrl) : options.env),
    },
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)

  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name)
    } catch {
      // The process group is already gone.
    }
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signal('SIGTERM')
      const timer = setTimeout(() => signal('SIGKILL'), 5_000)
      await exited(child)
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop()
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`)
    }
    const answer = await fetch(`${baseUrl}/planer`).catch(() => null)
    if (answer?.ok) return { baseUrl, database, output: () => output, stop }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await stop()
  throw new Error(`The server did not answer GET ${baseUrl}/planer within 30 s:\n${output}`)
}
