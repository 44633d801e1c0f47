// The project's scripts as an operator runs them: `tsx scripts/….ts` in a process of its own.
import { execFile } from 'node:child_process'

export interface ScriptResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `script` with `args` and resolves, whatever the exit code, with what it printed. The environment is PATH,
 * NODE_ENV=test and `env` only (which may override NODE_ENV), so neither the developer's database nor their settings
 * reach the script; `input` is typed on standard input, which is closed after it so a script that reads it ends.
 */
export function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string } = {},
): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'node_modules/.bin/tsx',
      [script, ...args],
      { env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env } },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    )
    child.stdin?.end(options.input ?? '')
  })
}
