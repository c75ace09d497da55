// Instructions and simulated cache misses per request, from valgrind's callgrind: counts, not seconds, so the
// same build under the same load measures the same whatever else the machine is doing. Each scenario's server
// runs under `valgrind --tool=callgrind --cache-sim=yes` with collection off while it is warmed up (every token,
// then WARM_REQUESTS more), on for the MEASURED requests, then dumped.
//
//   node callgrind-requests.mjs "Express (bare)" "Express + Portcullis jwtAuth" ...
//
// Env: COUNT (tokens, default 10000), WARM_REQUESTS (default 20000), MEASURED (default 4000), ALL_VALID=1 (no
// broken or revoked tokens), CONNECTIONS (default 8), KEEP=1 (keep the dumps; the directory is printed),
// PERF_MAP=1 (the server runs with --perf-basic-prof and its perf-PID.map is kept beside the dumps, to name JIT
// code: `cg-functions.py`). A few minutes per scenario: valgrind runs the server
// ≈ 50–100× slower. Totals per request: Ir (instructions), I1mr/ILmr (instruction-fetch misses in the first
// level and the last level), Dr+Dw (data reads and writes), D1mr+D1mw, DLmr+DLmw (data misses, first and last
// level); mainIr is the main thread's share of Ir (the rest: V8's GC and compiler threads). The simulated caches are valgrind's model of this CPU's, not the CPU itself; use for A/B only.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadGenerator } from '../dist/http/load-client.js'
import { prepareTokens, startScenario } from './http-kit.mjs'

const names = process.argv.slice(2)
if (names.length === 0) throw new Error('usage: node callgrind-requests.mjs "SCENARIO" ...')
const count = Number(process.env.COUNT ?? 10_000)
const warmRequests = Number(process.env.WARM_REQUESTS ?? 20_000)
const measured = Number(process.env.MEASURED ?? 4_000)
const connections = Number(process.env.CONNECTIONS ?? 8)
const dir = mkdtempSync(join(tmpdir(), 'portcullis-callgrind-'))

// This machine's CPU (AMD Zen 5): L1i 32 KiB 8-way, L1d 48 KiB 12-way; the last level simulated is the 1 MiB
// 16-way L2 of a core (a miss there goes to the shared L3 or memory). Valgrind's own guess for the VM is wrong.
const CACHES = process.env.CACHES ?? '--I1=32768,8,64 --D1=49152,12,64 --LL=1048576,16,64'
// fork() runs `execPath [execArgv] script args`; this wrapper puts valgrind in front and keeps the IPC channel.
const wrapper = join(dir, 'node-under-callgrind.sh')
writeFileSync(
  wrapper,
  `#!/bin/sh\nexec valgrind --tool=callgrind --cache-sim=yes ${CACHES} --instr-atstart=no --separate-threads=yes --smc-check=all-non-file ` +
    `--callgrind-out-file=${dir}/callgrind.%p ${process.execPath} "$@"\n`,
  { mode: 0o755 },
)

const tokens = await prepareTokens({ count, allValid: process.env.ALL_VALID === '1' })
const loadgen = new LoadGenerator()
const spec = (port, amount) => ({
  url: `http://127.0.0.1:${port}/me`,
  method: 'GET',
  tokensFile: tokens.tokensFile,
  connections,
  durationSec: 3600,
  amount,
})

const rows = []
try {
  for (const name of names) {
    const { child, port } = await startScenario(name, tokens.context, {
      execPath: wrapper,
      execArgv: process.env.PERF_MAP ? ['--perf-basic-prof'] : [],
    })
    await loadgen.run(spec(port, count))
    await loadgen.run(spec(port, warmRequests))
    execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' })
    const out = await loadgen.run(spec(port, measured))
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' })
    child.disconnect()
    await new Promise((resolve) => child.once('exit', resolve))
    if (process.env.PERF_MAP) execFileSync('mv', [`/tmp/perf-${child.pid}.map`, dir])
    rows.push({ name, requests: out.requests, ...totals(child.pid, out.requests) })
    console.log(JSON.stringify(rows.at(-1)))
    await sleep(100)
  }
} finally {
  loadgen.close()
  await tokens.close()
}

console.log()
const events = ['Ir', 'mainIr', 'I1mr', 'ILmr', 'Dr+Dw', 'D1mr+D1mw', 'DLmr+DLmw']
console.log(['scenario', ...events].join('\t'))
for (const row of rows) console.log([row.name, ...events.map((e) => row[e].toFixed(0))].join('\t'))
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true })
else console.log(dir)

/**
 * The totals of the dump taken after the measured requests, per request: every thread's (`callgrind.PID.1-NN`,
 * one file a thread: the main thread is 01, then V8's and libuv's helpers: GC, compiler), and the main thread's
 * instructions apart (`mainIr`).
 */
function totals(pid, requests) {
  const files = execFileSync('sh', ['-c', `ls ${dir}/callgrind.${pid}.1-*`])
    .toString()
    .trim()
    .split('\n')
  const sum = {}
  let mainIr = 0
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const eventNames = text.match(/^events: (.*)$/m)[1].split(' ')
    const values = text
      .match(/^totals: (.*)$/m)[1]
      .split(' ')
      .map(Number)
    eventNames.forEach((e, i) => {
      sum[e] = (sum[e] ?? 0) + (values[i] ?? 0)
    })
    if (file.endsWith('-01')) mainIr = values[eventNames.indexOf('Ir')]
  }
  return {
    Ir: sum.Ir / requests,
    mainIr: mainIr / requests,
    I1mr: sum.I1mr / requests,
    ILmr: sum.ILmr / requests,
    'Dr+Dw': (sum.Dr + sum.Dw) / requests,
    'D1mr+D1mw': (sum.D1mr + sum.D1mw) / requests,
    'DLmr+DLmw': (sum.DLmr + sum.DLmw) / requests,
  }
}
