// The better-sqlite3 for the running Node. Version 12 wraps its objects in node::ObjectWrap, whose destructor aborts
// Node 24 (from 24.19: "Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook) when a collected
// statement is finalized; version 13 uses Node-API instead, but needs Node 22 and crashes Node 20. Both are installed
// (13 under the alias better-sqlite3-13, with prebuilt binaries), and only this Node's one is loaded.
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'

const require = createRequire(import.meta.url)
const major = Number(process.versions.node.split('.')[0])

const SQLite: typeof BetterSqlite3 = require(major >= 22 ? 'better-sqlite3-13' : 'better-sqlite3')
export default SQLite
