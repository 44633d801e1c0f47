// Where a server's CPU time went under load, from a V8 CPU profile (node --cpu-prof, as `npm run bench:pages --
// --cpu-prof` writes): self time by kind of work, between the first and the last sample of a request, so the
// start (tsx compiling, migrations) does not count.  npx tsx scripts/bench/profile-summary.ts <file.cpuprofile>
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

// A native call's time shows as self time of the JavaScript function that made it: better-sqlite3's `prepare`
// wrapper compiles a statement, and Kysely's driver runs it (`all`/`run`) inside its own `executeQuery`.
const sessionAndCsrf = {
  name: 'session and CSRF',
  frame: (url: string) => /server\/auth\/session\.ts|server\/csrf\.ts|cookie-parser|\/cookie\//.test(url),
}
const categories: { name: string; frame: (url: string, name: string) => boolean }[] = [
  { name: 'Kysely (building and compiling queries)', frame: (url) => url.includes('/kysely/') },
  {
    name: 'templates (handlebars, helpers)',
    frame: (url) => /handlebars|\/views\/helpers\//.test(url),
  },
  sessionAndCsrf,
  { name: 'app code (routes, view models)', frame: (url) => url.includes('/server/') || url.includes('/db/') },
  {
    name: 'Express, helmet, sending',
    frame: (url) => /\/(express|router|helmet|etag|send|finalhandler|body-parser|qs)\//.test(url),
  },
]

export function summarise(profile: Profile): { total: number; shares: [string, number][]; session: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const stack = (id: number) => {
    const frames: ProfileNode[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      frames.push(byId.get(at) as ProfileNode)
    return frames
  }
  const inRequest = profile.samples.map((id) => stack(id).some((f) => f.callFrame.url.includes('/router/')))
  const first = inRequest.indexOf(true)
  const last = inRequest.lastIndexOf(true)
  const counts = new Map<string, number>()
  let total = 0
  // Self time hides what a middleware costs through the queries it makes: the session's own lookups are SQL above.
  let session = 0
  for (let i = Math.max(first, 0); i <= last; i++) {
    const frames = stack(profile.samples[i] as number)
    const leaf = frames[0]?.callFrame as ProfileNode['callFrame']
    if (leaf.functionName === '(idle)' || leaf.functionName === '(program)') continue
    let category: string
    if (leaf.url.includes('better-sqlite3') && leaf.functionName === 'prepare') category = 'SQL prepare'
    else if (
      leaf.url.includes('better-sqlite3') ||
      (leaf.url.includes('sqlite-driver') && leaf.functionName === 'executeQuery') ||
      // The statement's own native `all`/`run`, called straight from Kysely's driver: SQLite running the query.
      (leaf.url === '' && frames[1]?.callFrame.url.includes('sqlite-driver'))
    )
      category = 'SQL execute'
    else if (leaf.functionName === '(garbage collector)') category = 'garbage collection'
    else {
      const match = frames
        .map((f) => categories.find((c) => c.frame(f.callFrame.url, f.callFrame.functionName)))
        .find(Boolean)
      category = match?.name ?? 'Node internals (sockets, buffers, streams)'
    }
    counts.set(category, (counts.get(category) ?? 0) + 1)
    total += 1
    if (frames.some((f) => sessionAndCsrf.frame(f.callFrame.url))) session += 1
  }
  return {
    total,
    session: session / total,
    shares: [...counts].map(([name, n]): [string, number] => [name, n / total]).sort((a, b) => b[1] - a[1]),
  }
}

/** The profile's summary as printed lines. */
export function describeProfile(file: string): string {
  const { total, shares, session } = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile)
  if (total === 0) return `No request was served while ${file} was recorded.`
  const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`
  return [
    `Self time of ${total} busy samples while serving requests (${file}):`,
    ...shares.map(([name, share]) => `${percent(share)}  ${name}`),
    `${percent(session)}  of it under the session and CSRF middleware, their SQL included`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  for (const file of process.argv.slice(2)) console.log(describeProfile(file))
}
