// Hooks every test file needs. Test files share their worker's modules (isolate: false in vitest.config.ts), so a
// helper imported by many files is evaluated once: a hook it registered as it was imported would belong to the
// first file alone. This file runs again for each.
import { afterAll, afterEach } from 'vitest'
import { testPdf } from './helpers/test-app.js'
import { closeDatabasesOfTest, dropDatabasesOfFile } from './helpers/test-database.js'

afterEach(closeDatabasesOfTest)
afterAll(dropDatabasesOfFile)
afterAll(() => testPdf.close())
