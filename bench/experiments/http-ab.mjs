// Scratch HTTP A/B: the bench's own server scenarios, each also started on a snapshot of the packages
// (snapshot-packages.sh NAME, loaded through variant-hook.mjs), visited in turn each round. Reports per-round
// throughput ratio to the framework's bare server and the server's CPU µs per request (medians over rounds).
//   node bench/experiments/http-ab.mjs ROUNDS VARIANT [express|nest|yoga ...]   (DUMP=1: every round)
import { join } from 'node:path'
import { loadSpec, pinnedLoadGenerator, prepareTokens, serverCpu, startScenario } from './http-kit.mjs'

const here = new URL('.', import.meta.url).pathname
const [roundsArg, variant, ...frameworks] = process.argv.slice(2)
const rounds = Number(roundsArg)
const variantDir = join(here, '../.results/variants', variant)
const wanted = frameworks.length ? frameworks : ['express', 'nest']
const SERVERS = [
  { fw: 'express', label: 'Express bare', scenario: 'Express (bare)' },
  { fw: 'express', label: 'Express + Portcullis (current)', scenario: 'Express + Portcullis jwtAuth' },
  {
    fw: 'express',
    label: `Express + Portcullis (${variant})`,
    scenario: 'Express + Portcullis jwtAuth',
    variant: true,
  },
  { fw: 'nest', label: 'NestJS bare', scenario: 'NestJS (bare)' },
  { fw: 'nest', label: 'NestJS + Portcullis (current)', scenario: 'NestJS + Portcullis @Auth' },
  {
    fw: 'nest',
    label: `NestJS + Portcullis (${variant})`,
    scenario: 'NestJS + Portcullis @Auth',
    variant: true,
  },
  { fw: 'yoga', label: 'Yoga bare', scenario: 'Yoga (bare)' },
  { fw: 'yoga', label: 'Yoga + Portcullis (current)', scenario: 'Yoga + Portcullis usePortcullis' },
  {
    fw: 'yoga',
    label: `Yoga + Portcullis (${variant})`,
    scenario: 'Yoga + Portcullis usePortcullis',
    variant: true,
  },
].filter((s) => wanted.includes(s.fw))
const BARE = { express: 'Express bare', nest: 'NestJS bare', yoga: 'Yoga bare' }

const { count, tokensFile, context, close } = await prepareTokens()
const start = async (server) => ({
  ...server,
  ...(await startScenario(server.scenario, context, {
    execArgv: server.variant ? ['--import', join(here, 'variant-hook.mjs')] : [],
    env: { ...process.env, ...(server.variant && { PORTCULLIS_VARIANT: variantDir }) },
  })),
})
const cpu = serverCpu
const loadgen = pinnedLoadGenerator()
const load = (spec) => loadgen.run(spec)

const running = []
for (const s of SERVERS) running.push(await start(s))
const res = new Map(running.map((s) => [s.label, []]))
try {
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 === 0 ? running : [...running].reverse()) {
      const spec = (durationSec) => loadSpec(s.port, s.fw === 'yoga', tokensFile, durationSec)
      if (r === 0 && !s.label.includes('bare')) await load({ ...spec(300), amount: count })
      await load(spec(0.5))
      const c0 = await cpu(s.child)
      const out = await load(spec(2))
      const c1 = await cpu(s.child)
      res
        .get(s.label)
        .push({ rps: out.rps, cpuPerReq: (c1 - c0) / out.requests, non2xx: out.non2xx / out.requests })
    }
    process.stderr.write(`round ${r + 1} done\n`)
  }
} finally {
  loadgen.close()
  for (const s of running) s.child.kill()
  await close()
}
if (process.env.DUMP)
  for (const s of running)
    console.log(
      s.label,
      res
        .get(s.label)
        .map((x) => `${Math.round(x.rps)}/${x.cpuPerReq.toFixed(0)}`)
        .join(' '),
    )
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
for (const s of running) {
  const runs = res.get(s.label)
  const bare = res.get(BARE[s.fw])
  console.log(
    s.label.padEnd(36),
    `${Math.round(med(runs.map((x) => x.rps)))} req/s`.padStart(12),
    `${med(runs.map((x, i) => x.rps / bare[i].rps)).toFixed(3)}× bare`.padStart(12),
    `${med(runs.map((x) => x.cpuPerReq)).toFixed(1)} µs CPU/req`.padStart(18),
    `CPU ${med(runs.map((x, i) => x.cpuPerReq / bare[i].cpuPerReq)).toFixed(3)}× bare`.padStart(16),
    `refused ${(med(runs.map((x) => x.non2xx)) * 100).toFixed(2)}%`,
  )
}
