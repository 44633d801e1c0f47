// npm run bench:pages [-- --quick] [--duration <s>] [--demo] [--only <text>] [--cpu-prof] [--keep] [--postgres <url>]
// How fast the app's pages answer a whole municipality (scripts/bench/municipality.ts: 40 committees and companies,
// 5 years, 30 000 measures) under load: autocannon at 10 connections against the real server (`server/main.ts`,
// in a child process, so the load and the server do not share one event loop), beside a bare Express "hello"
// started the same way. Prints requests/s, p50 and p99 for each page and its share of the bare figure, and the
// issue's targets as comparisons; nothing here asserts (performance is measured, not asserted in tests).
//   --quick      3 s per page instead of 10        --duration <s>  seconds per page
//   --demo       also the demo plan page, on a demo database of its own
//   --only <t>   only the pages whose label holds t (the bare figure is always measured)
//   --cpu-prof   the app servers write a V8 CPU profile (node --cpu-prof) into .scratch/, for Chrome DevTools
//   --keep       keep the generated database (its folder is printed, and the PostgreSQL database's name)
//   --postgres <url>  measure the same pages on PostgreSQL too: the municipality is copied (db/copy.ts) into a new
//                database on that server (the URL's role needs CREATEDB), and both engines' figures are printed
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { isPostgresUrl, migrateToLatest, openDatabase } from '../db/connection.js'
import { copyTables, sourceTables } from '../db/copy.js'
import { demoPassword, loadDemoDataIfEmpty } from '../db/seed/demo.js'
import { openCurrentDatabase } from '../server/audit/baseline.js'
import { loadConfig } from '../server/config.js'
import { benchAccounts, benchPassword, generateMunicipality } from './bench/municipality.js'
import { describeProfile } from './bench/profile-summary.js'

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    demo: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    postgres: { type: 'string' },
  },
})
const seconds = Number(flags.duration ?? (flags.quick ? 3 : 10))
if (!Number.isFinite(seconds) || seconds < 1) throw new Error('--duration wants a number of seconds, at least 1')
// Compiles the templates and warms V8 before the figures count; not part of them.
const warmupSeconds = flags.quick ? 1 : 2
const connections = 10
const root = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'bench-pages-'))
const profileDir = flags['cpu-prof'] ? join(root, '.scratch', `cpu-prof-${Date.now()}`) : undefined

// Production, as a municipality runs it: a fixed secret and audit key, no demo data, no reminder pass sending mail.
function serverEnv(database: string, port: number): NodeJS.ProcessEnv {
  const { DEMO_DATA: _demo, SMTP_URL: _smtp, AUDIT_ANCHOR_FILE: _anchor, DATABASE_URL: _url, ...env } = process.env
  return {
    ...env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...(isPostgresUrl(database) ? { DATABASE_URL: database } : { DATABASE_FILE: database }),
    SECRET: 'bench-pages-secret-that-is-long-enough',
    AUDIT_KEY: 'bench-pages-audit-key-that-is-long-enough',
    REMINDERS: 'false',
  }
}

/** The first port from 3150 on that nothing listens on. */
async function freePort(from = 3150): Promise<number> {
  for (let port = from; port < from + 50; port++) {
    const free = await new Promise<boolean>((done) => {
      const probe = createServer()
      probe.once('error', () => done(false))
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)))
    })
    if (free) return port
  }
  throw new Error(`No free port from ${from}`)
}

interface Child {
  process: ChildProcess
  base: string
  output: () => string
}

const children: Child[] = []

async function startChild(script: string, env: NodeJS.ProcessEnv, ready: string, nodeFlags: string[] = []) {
  const port = Number(env.PORT)
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const started = { process: child, base: `http://127.0.0.1:${port}`, output: () => output }
  children.push(started)
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}):\n${output}`)
    try {
      if ((await fetch(`${started.base}${ready}`)).ok) return started
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`${script} did not answer ${ready} within two minutes:\n${output}`)
}

async function stopChild(child: Child) {
  if (child.process.exitCode !== null) return
  const exited = new Promise((done) => child.process.once('exit', done))
  // SIGTERM: main.ts closes the server and the database, and node writes the CPU profile on the way out.
  child.process.kill('SIGTERM')
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** Logs in through the real form, CSRF token included, and returns the Cookie header a browser would then send. */
async function logIn(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>()
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()
      const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
  const form = await fetch(`${base}/logga-in`, { redirect: 'manual' })
  keep(form)
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1]
  if (!token) throw new Error('No CSRF token on the login page')
  const login = await fetch(`${base}/logga-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password, till: '' }),
  })
  if (login.status !== 303) throw new Error(`Login as ${email} answered ${login.status}, not 303`)
  keep(login)
  // Login renews the CSRF value: the next page sets it, and a browser sends it back from then on; without it every
  // measured request would make and set a new one.
  const next = await fetch(`${base}/`, { redirect: 'manual', headers: { cookie: cookie() } })
  keep(next)
  await next.arrayBuffer()
  return cookie()
}

interface Figure {
  label: string
  rps: number
  p50: number
  p99: number
  /** The issue's target for the page, as a comparison. */
  target?: (figure: Figure, bare: Figure) => string
}

async function measure(label: string, url: string, cookie?: string): Promise<Figure> {
  const headers = cookie ? { cookie } : undefined
  // A benchmark of a redirect or an error page is worthless.
  const check = await fetch(url, { redirect: 'manual', headers })
  const body = await check.text()
  if (check.status !== 200)
    throw new Error(`${label}: ${url} answered ${check.status}, not 200:\n${body.slice(0, 500)}`)
  await autocannon({ url, connections, duration: warmupSeconds, headers })
  const result = await autocannon({ url, connections, duration: seconds, headers })
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${label}: ${result.non2xx} answers other than 2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    )
  }
  const figure = { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
  console.log(`  ${label}: ${figure.rps.toFixed(0)} requests/s`)
  return figure
}

/** Databases made on the PostgreSQL server, dropped at the end unless --keep. */
const postgresDatabases: { server: string; name: string }[] = []

/** A new database on the server at `server`, holding a copy of the generated municipality: its URL. */
async function copyToPostgres(server: string, file: string): Promise<string> {
  const name = `bench_pages_${process.pid}_${Date.now()}`
  await withAdmin(server, (admin) => admin.query(`create database "${name}"`))
  postgresDatabases.push({ server, name })
  const url = new URL(server)
  url.pathname = `/${name}`
  const started = performance.now()
  const [source, target] = [openDatabase(file), openDatabase(url.toString())]
  try {
    await migrateToLatest(target)
    await copyTables(source, target, await sourceTables(source))
  } finally {
    await Promise.all([source.destroy(), target.destroy()])
  }
  console.log(
    `Copied ${basename(file)} to PostgreSQL (${name}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  )
  return url.toString()
}

async function withAdmin<T>(server: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

const wanted = (label: string) => !flags.only || label.toLowerCase().includes(flags.only.toLowerCase())
const yesNo = (ok: boolean) => (ok ? 'yes' : 'no')
const underP99 = (ms: number) => (f: Figure) => `p99 < ${ms} ms: ${yesNo(f.p99 < ms)}`

try {
  const now = new Date()
  const generatedFile = join(work, 'municipality.sqlite')
  const generatedPort = await freePort()
  const started = performance.now()
  const generatedConfig = loadConfig(serverEnv(generatedFile, generatedPort))
  const db = await openCurrentDatabase(generatedConfig, now)
  const town = await generateMunicipality(db, { now, auditKey: generatedConfig.auditKey })
  await db.destroy()
  console.log(
    `Generated ${town.measures} measures and ${town.auditRows} audit rows in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s (${generatedFile}).`,
  )

  const helloPort = await freePort(generatedPort + 1)
  const hello = await startChild('scripts/bench/hello.ts', { ...process.env, PORT: String(helloPort) }, '/')
  const profile = (name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [])
  console.log(
    `Measuring at ${connections} connections, ${seconds} s a page after ${warmupSeconds} s of warm-up; ` +
      `the servers are child processes (node ${process.version}, ${cpus().length} cores).`,
  )
  const figures: Figure[] = [await measure('bare Express "hello"', `${hello.base}/`)]

  const { year, municipalityId: kommun, planId } = town
  const pages: { label: string; path: string; as: keyof typeof benchAccounts }[] = [
    { label: 'start page, secretary of 3 committees', path: '/', as: 'secretary' },
    { label: 'start page, owner of a unit', path: '/', as: 'owner' },
    { label: 'start page, reader of a committee', path: '/', as: 'reader' },
    { label: 'start page, coordinator', path: '/', as: 'coordinator' },
    { label: 'start page, admin', path: '/', as: 'admin' },
    { label: 'plan page, 150 measures', path: `/planer/${planId}`, as: 'secretary' },
    {
      label: 'measure list ?status=in_progress',
      path: `/planer/${planId}/atgarder?status=in_progress`,
      as: 'secretary',
    },
    { label: 'audit log, secretary', path: '/logg', as: 'secretary' },
    { label: 'audit log, admin', path: '/logg', as: 'admin' },
    { label: `roll-up /kommun/${kommun}/${year}`, path: `/kommun/${kommun}/${year}`, as: 'coordinator' },
    {
      label: 'municipal items (gemensamma)',
      path: `/kommun/${kommun}/${year}/gemensamma`,
      as: 'coordinator',
    },
  ]
  const measured = pages.filter((p) => wanted(p.label))
  /** The pages on one engine's copy of the municipality, each label saying which engine. */
  const measurePages = async (database: string, engine: string, port: number) => {
    // Not even started when --only leaves it nothing to serve, so a profile is of requests alone.
    if (measured.length === 0) return
    const app = await startChild('server/main.ts', serverEnv(database, port), '/healthz', profile(engine))
    const sessions = new Map<string, string>()
    for (const page of measured) {
      if (!sessions.has(page.as)) sessions.set(page.as, await logIn(app.base, benchAccounts[page.as], benchPassword))
      const label = flags.postgres ? `${page.label} (${engine})` : page.label
      figures.push({
        ...(await measure(label, `${app.base}${page.path}`, sessions.get(page.as))),
        target: underP99(100),
      })
    }
    await stopChild(app)
  }
  await measurePages(generatedFile, 'SQLite', generatedPort)
  if (flags.postgres) {
    const database = await copyToPostgres(flags.postgres, generatedFile)
    await measurePages(database, 'PostgreSQL', generatedPort)
  }

  if (flags.demo && wanted('demo plan page')) {
    const demoFile = join(work, 'demo.sqlite')
    const demoPort = await freePort(helloPort + 1)
    const demoConfig = loadConfig(serverEnv(demoFile, demoPort))
    const demoDb = await openCurrentDatabase(demoConfig, now)
    await loadDemoDataIfEmpty(demoDb, now)
    // Grundskolenämnden's 2020 plan: the demo plan the issue's figures are of.
    const demoPlan = await demoDb
      .selectFrom('plan')
      .select('id')
      .where('year', '=', 2020)
      .orderBy('id')
      .executeTakeFirstOrThrow()
    await demoDb.destroy()
    const measureDemo = async (database: string, engine: string) => {
      const demo = await startChild(
        'server/main.ts',
        serverEnv(database, demoPort),
        '/healthz',
        profile(`demo ${engine}`),
      )
      const cookie = await logIn(demo.base, 'sekreterare@demo.internkontroll.se', demoPassword)
      const label = `demo plan page (demo database${flags.postgres ? `, ${engine}` : ''})`
      figures.push({
        ...(await measure(label, `${demo.base}/planer/${demoPlan.id}`, cookie)),
        target: (f, bare) => `≥ 25 % of bare: ${yesNo(f.rps >= bare.rps / 4)}; ${underP99(25)(f)}`,
      })
      await stopChild(demo)
    }
    await measureDemo(demoFile, 'SQLite')
    if (flags.postgres) await measureDemo(await copyToPostgres(flags.postgres, demoFile), 'PostgreSQL')
  }

  const bare = figures[0] as Figure
  const width = Math.max(...figures.map((f) => f.label.length))
  const row = (cells: string[]) => console.log(cells.join('  '))
  console.log(
    `\n${now.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores, ${connections} connections`,
  )
  row(['page'.padEnd(width), 'requests/s', ' p50 ms', ' p99 ms', '% of bare', ' target'])
  for (const f of figures) {
    row([
      f.label.padEnd(width),
      f.rps.toFixed(0).padStart(10),
      String(f.p50).padStart(7),
      String(f.p99).padStart(7),
      `${((f.rps / bare.rps) * 100).toFixed(1)} %`.padStart(9),
      ` ${f.target?.(f, bare) ?? ''}`,
    ])
  }
  if (profileDir) {
    console.log(`\nCPU profiles (open in Chrome DevTools, Performance): ${profileDir}`)
    for (const server of ['SQLite', 'PostgreSQL', 'demo SQLite', 'demo PostgreSQL']) {
      const dir = join(profileDir, server)
      if (!existsSync(dir)) continue
      // tsx's loader runs in a thread of its own, with a profile of its own: the server's is the largest.
      const files = readdirSync(dir).map((f) => join(dir, f))
      const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]
      if (main) console.log(describeProfile(main))
    }
  }
} finally {
  for (const child of children) await stopChild(child)
  if (flags.keep) console.log(`Kept ${work}${postgresDatabases.map((d) => ` and the database ${d.name}`).join('')}`)
  else {
    rmSync(work, { recursive: true, force: true })
    for (const { server, name } of postgresDatabases) {
      await withAdmin(server, (admin) => admin.query(`drop database if exists "${name}" with (force)`))
    }
  }
}
