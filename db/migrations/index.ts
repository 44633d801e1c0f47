import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0002 from './0002-report-versions.js'
import * as m0003 from './0003-accounts.js'
import * as m0004 from './0004-audit.js'
import * as m0005 from './0005-versions.js'
import * as m0006 from './0006-inspections.js'
import * as m0007 from './0007-next-year.js'
import * as m0008 from './0008-spreadsheet-imports.js'
import * as m0009 from './0009-plan-adoption-diary-number.js'
import * as m0013 from './0013-import-plan-sheet.js'
import * as m0014 from './0014-controls.js'
import * as m0015 from './0015-reminders.js'
import * as m0016 from './0016-municipality-oversight.js'
import * as m0017 from './0017-municipal-items.js'
import * as m0018 from './0018-rollup-report-versions.js'
import * as m0019 from './0019-open-data.js'
import * as m0020 from './0020-api-tokens.js'
import * as m0021 from './0021-municipal-copy-unique.js'
import * as m0022 from './0022-page-indexes.js'
import * as m0023 from './0023-login-failure-age.js'
import * as m0024 from './0024-sign-in-with-identity-provider.js'
import * as m0025 from './0025-saml.js'

// A static map rather than a folder scan, so the bundle never depends on the file system layout.
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-report-versions': m0002,
  '0003-accounts': m0003,
  '0004-audit': m0004,
  '0005-versions': m0005,
  '0006-inspections': m0006,
  '0007-next-year': m0007,
  '0008-spreadsheet-imports': m0008,
  '0009-plan-adoption-diary-number': m0009,
  '0013-import-plan-sheet': m0013,
  '0014-controls': m0014,
  '0015-reminders': m0015,
  '0016-municipality-oversight': m0016,
  '0017-municipal-items': m0017,
  '0018-rollup-report-versions': m0018,
  '0019-open-data': m0019,
  '0020-api-tokens': m0020,
  '0021-municipal-copy-unique': m0021,
  '0022-page-indexes': m0022,
  '0023-login-failure-age': m0023,
  '0024-sign-in-with-identity-provider': m0024,
  '0025-saml': m0025,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
