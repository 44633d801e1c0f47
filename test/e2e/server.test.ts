import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { describeDatabase } from '../../db/connection.js'
import { startServer } from './server.js'

describe('the server outside production', () => {
  it('listens on this computer only, and says so and that the demo accounts are for local use', async () => {
    const server = await startServer()
    try {
      const { port } = new URL(server.baseUrl)
      expect(server.output()).toContain(
        `Internkontroll is running on http://127.0.0.1:${port} for this computer only; HOST=0.0.0.0 opens it`,
      )
      expect(server.output()).toContain('Demo accounts, for trying the app on your own computer')
      // An SQLite file, or under TEST_DATABASE_URL a PostgreSQL database of its own.
      expect(server.output()).toContain(`Database: ${describeDatabase(server.database)}`)
      // This computer's address on its network, where another computer would knock.
      const outside = Object.values(networkInterfaces())
        .flatMap((addresses) => addresses ?? [])
        .filter((a) => !a.internal && a.family === 'IPv4')
      for (const { address } of outside) await expect(fetch(`http://${address}:${port}/logga-in`)).rejects.toThrow()
    } finally {
      await server.stop()
    }
  })
})
