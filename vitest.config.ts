import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // End-to-end tests start Chromium; the rest finish in milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
