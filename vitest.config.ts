import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Modules are imported once per worker, not again for each test file: importing the app's modules
    // (express, kysely, exceljs, puppeteer…) anew for every file was a fifth of the suite's CPU time. What a file
    // must start fresh is in test/setup.ts.
    isolate: false,
    setupFiles: ['test/setup.ts'],
    // End-to-end tests start Chromium; the rest finish in milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
