#!/usr/bin/env node
// Runs every package's tests in one vitest invocation (root vitest.config.ts lists the projects),
// then prints one plain `N passed, M failed` line over all of them, so a run that tested nothing shows.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const out = '.test-results/vitest.json'
mkdirSync('.test-results', { recursive: true })
if (existsSync(out)) rmSync(out)

const run = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)

let passed = 0
let failed = 0
let skipped = 0
if (existsSync(out)) {
  const report = JSON.parse(readFileSync(out, 'utf8'))
  passed = report.numPassedTests ?? 0
  // A suite can fail without a failing test (an import error, a hook): count those too, once.
  const brokenSuites = (report.testResults ?? []).filter(
    (suite) =>
      suite.status === 'failed' && !(suite.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length
  failed = (report.numFailedTests ?? 0) + brokenSuites
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
} else {
  failed = 1
}
const status = run.status ?? 1
if (status !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(status === 0 && failed === 0 && passed > 0 ? 0 : 1)
