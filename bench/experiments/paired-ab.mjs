// Scratch: two bench HTTP scenarios measured at the same time instead of one after the other. Both servers are
// pinned to the server CPU and loaded together (a load generator each, both on the load CPU), so whatever the
// machine's speed does during a round, it does to both; each round gives each server's CPU µs per request,
// and their ratio. This machine's speed drifts by tens of percent over minutes, which is the spread the
// sequential suite fights with its alternating rounds.
//   node paired-ab.mjs ROUNDS "Express (bare)" "Express + Portcullis jwtAuth"
// ALL_VALID=1 leaves out the broken and revoked tokens; VARIANT_B=NAME runs B on a package snapshot
// (snapshot-packages.sh NAME).
import { join } from 'node:path'
import { loadSpec, pinnedLoadGenerator, prepareTokens, serverCpu, startScenario } from './http-kit.mjs'

const here = new URL('.', import.meta.url).pathname
const [roundsArg, nameA, nameB] = process.argv.slice(2)
const rounds = Number(roundsArg)
const variantB = process.env.VARIANT_B
const { count, tokensFile, context, close } = await prepareTokens({
  allValid: Boolean(process.env.ALL_VALID),
})

const start = async (name, variant) => {
  const server = await startScenario(name, context, {
    execArgv: variant ? ['--import', join(here, 'variant-hook.mjs')] : [],
    env: {
      ...process.env,
      ...(variant && { PORTCULLIS_VARIANT: join(here, '../.results/variants', variant) }),
    },
  })
  const loadgen = pinnedLoadGenerator()
  const spec = (seconds) => loadSpec(server.port, name.startsWith('Yoga'), tokensFile, seconds)
  return { name: variant ? `${name} (${variant})` : name, ...server, loadgen, spec }
}
const pair = [await start(nameA), await start(nameB, variantB)]
try {
  for (const s of pair) await s.loadgen.run({ ...s.spec(300), amount: count })
  await Promise.all(pair.map((s) => s.loadgen.run(s.spec(2))))
  const perRound = []
  for (let r = 0; r < rounds; r++) {
    const before = await Promise.all(pair.map((s) => serverCpu(s.child)))
    const outs = await Promise.all(pair.map((s) => s.loadgen.run(s.spec(2))))
    const after = await Promise.all(pair.map((s) => serverCpu(s.child)))
    const cpu = pair.map((_, i) => (after[i] - before[i]) / outs[i].requests)
    perRound.push({ cpu, rps: outs.map((o) => o.rps) })
    console.log(
      `round ${r + 1}: ${pair.map((s, i) => `${s.name} ${Math.round(outs[i].rps)} req/s ${cpu[i].toFixed(1)} µs/req`).join(', ')}; ` +
        `CPU B/A ${(cpu[1] / cpu[0]).toFixed(3)}`,
    )
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const cpuRatio = median(perRound.map((p) => p.cpu[1] / p.cpu[0]))
  const rpsRatio = median(perRound.map((p) => p.rps[1] / p.rps[0]))
  console.log(
    `median over ${rounds} rounds: CPU per request B/A ${cpuRatio.toFixed(3)} (throughput at equal CPU ` +
      `${(1 / cpuRatio).toFixed(3)}), throughput B/A ${rpsRatio.toFixed(3)}`,
  )
} finally {
  for (const s of pair) {
    s.loadgen.close()
    s.child.kill()
  }
  await close()
}
