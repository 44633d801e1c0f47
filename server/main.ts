import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describeDatabase } from '../db/connection.js'
import { demoAccounts, demoPassword, loadDemoDataIfEmpty } from '../db/seed/demo.js'
import { PdfPrinter } from '../reports/render-pdf.js'
import { createApp } from './app.js'
import { openCurrentDatabase } from './audit/baseline.js'
import { loadConfig } from './config.js'
import { startReminderScheduler } from './reminders/scheduler.js'

const config = loadConfig()
const db = await openCurrentDatabase(config)
if (config.demoData && (await loadDemoDataIfEmpty(db, new Date()))) {
  console.log("Loaded the demo data: Grundskolenämnden's internal-control plan 2020.")
}
if (config.demoData) {
  console.log(`Demo accounts, for trying the app on your own computer; their password ${demoPassword} is published:`)
  for (const account of demoAccounts) {
    const units = account.units.length > 0 ? ` for ${account.units.join(', ')}` : ''
    console.log(`  ${account.role.padEnd(14)} ${account.email}${units}`)
  }
}

const pdf = new PdfPrinter({ executablePath: config.chromiumPath })
const app = createApp({ db, config, clock: () => new Date(), pdf })
// Started once the server listens, here rather than in createApp, so that the tests' apps send nothing.
let stopReminders: () => Promise<void> = async () => {}
// Node's own default when no host is given: every interface, IPv6 and IPv4.
const server = createServer(app).listen({ port: config.port, host: config.host }, () => {
  const { address, port } = server.address() as AddressInfo
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  const local = ['127.0.0.1', '::1', 'localhost'].includes(config.host ?? '')
  console.log(
    local
      ? `Internkontroll is running on ${url} for this computer only; HOST=0.0.0.0 opens it to the network (in a container, for one).`
      : `Internkontroll is listening on ${config.host ? url : `every network interface, port ${port}`}.`,
  )
  console.log(`Database: ${describeDatabase(config.database)}`)
  if (config.demoData && !local)
    console.log('Warning: anyone who reaches the server can log in with the demo accounts.')
  if (config.remindersScheduled) stopReminders = startReminderScheduler({ db, config, clock: () => new Date() })
})

// Finish the requests and the reminder job under way, then close the browser and the database; a second signal does
// not wait.
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    const reminders = stopReminders()
    server.close(() => {
      void Promise.all([pdf.close(), reminders.then(() => db.destroy())]).then(() => process.exit(0))
    })
    server.closeIdleConnections()
  })
}
