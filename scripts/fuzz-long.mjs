#!/usr/bin/env node
// Runs Portcullis' property-based fuzzing (packages/core/test/fuzz) for much longer than `pnpm test` does.
// The properties are the very same; only the number of runs changes.
//
//   node scripts/fuzz-long.mjs                       100,000 runs per in-process property, 10,000 over HTTP
//   node scripts/fuzz-long.mjs --runs 1000000        more
//   node scripts/fuzz-long.mjs --http-runs 50000     HTTP properties (Express adapter) separately
//   node scripts/fuzz-long.mjs --seed 42             reproduce a run (a failure prints its seed)
//   node scripts/fuzz-long.mjs --only express        one file: authenticate | express
//
// Needs redis-server only for the other suites, not for these; the issuer and the Express server are started
// on 127.0.0.1 by the tests themselves.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    'http-runs': { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log(
    'usage: node scripts/fuzz-long.mjs [--runs N] [--http-runs N] [--seed S] [--only authenticate|express]',
  )
  process.exit(0)
}

const runs = positiveInteger(values.runs, '--runs')
const httpRuns =
  values['http-runs'] === undefined
    ? Math.max(1, Math.floor(runs / 10))
    : positiveInteger(values['http-runs'], '--http-runs')
const files = {
  authenticate: 'test/fuzz/authenticate.fuzz.test.ts',
  express: 'test/fuzz/express.fuzz.test.ts',
}
if (values.only !== undefined && !(values.only in files)) {
  console.error(`--only must be one of: ${Object.keys(files).join(', ')}`)
  process.exit(2)
}
const selected = values.only === undefined ? Object.values(files) : [files[values.only]]

const env = {
  ...process.env,
  PORTCULLIS_FUZZ_RUNS: String(runs),
  PORTCULLIS_FUZZ_HTTP_RUNS: String(httpRuns),
  ...(values.seed !== undefined && { PORTCULLIS_FUZZ_SEED: values.seed }),
}

console.log(
  `fuzzing ${selected.join(', ')}: ${runs} runs per in-process property, ${httpRuns} per HTTP property` +
    (values.seed === undefined ? '' : `, seed ${values.seed}`),
)
const started = Date.now()
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...selected, '--testTimeout=86400000'], {
  cwd: fileURLToPath(new URL('../packages/core/', import.meta.url)),
  env,
  stdio: 'inherit',
})
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(`fuzzing ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`)
process.exit(result.status ?? 1)

function positiveInteger(text, flag) {
  const number = Number(text)
  if (!Number.isInteger(number) || number <= 0) {
    console.error(`${flag} must be a positive integer, not ${text}`)
    process.exit(2)
  }
  return number
}
