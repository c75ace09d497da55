// Scratch: one bench HTTP scenario in a child process started with extra node flags (PROFILE_ARGS, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"), warmed up over every token and then WARM seconds (default 2), then
// loaded for SECONDS; prints the server's CPU µs per request. With PERF=FILE it runs `perf record -g` on the
// child during the measured load. ALL_VALID=1 leaves out the broken and revoked tokens.
//   node bench/experiments/profile-server.mjs "Express + Portcullis jwtAuth" 8
import { spawn } from 'node:child_process'
import { loadSpec, pinnedLoadGenerator, prepareTokens, serverCpu, startScenario } from './http-kit.mjs'

const [scenario, secondsArg] = process.argv.slice(2)
const seconds = Number(secondsArg ?? 8)
const { count, tokensFile, context, close } = await prepareTokens({
  allValid: Boolean(process.env.ALL_VALID),
  count: Number(process.env.COUNT ?? 10_000),
})
const { child, port } = await startScenario(scenario, context, {
  execArgv: (process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean),
})
const loadgen = pinnedLoadGenerator()
const spec = (durationSec) => loadSpec(port, scenario.startsWith('Yoga'), tokensFile, durationSec)
await loadgen.run({ ...spec(300), amount: count })
await loadgen.run(spec(Number(process.env.WARM ?? 2)))
const perf = process.env.PERF
  ? spawn(
      'perf',
      ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(child.pid), '-o', process.env.PERF],
      { stdio: 'inherit' },
    )
  : undefined
const c0 = await serverCpu(child)
const out = await loadgen.run(spec(seconds))
const c1 = await serverCpu(child)
perf?.kill('SIGINT')
console.log(
  `${scenario}: ${Math.round(out.rps)} req/s, ${((c1 - c0) / out.requests).toFixed(1)} µs CPU/req, non2xx ${out.non2xx}`,
)
child.disconnect()
loadgen.close()
await new Promise((r) => child.once('exit', r))
await close()
