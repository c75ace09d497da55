// Scratch: what one bench HTTP scenario leaves for the garbage collector per request. The scenario's server runs
// in this process (pinned to the server CPU, the bench's load from the pinned load generator); V8's own GC trace
// gives the bytes allocated and the bytes that survived each scavenge, summed over each measured round and
// divided by its requests. Unlike CPU time these barely move with the machine's load.
//   node --trace-gc-nvp gc-per-request.mjs "Express + Portcullis jwtAuth" > LOG 2>&1
//   node gc-per-request.mjs --sum LOG
// ROUNDS=N (default 3); SERVER=FILE.mjs measures a scratch server module (see the code); MIXED=1 adds the broken and revoked tokens; COUNT=N users instead of 10,000;
// `--import ./variant-hook.mjs` with PORTCULLIS_VARIANT=DIR measures a snapshot of the packages instead.
import { readFileSync } from 'node:fs'

if (process.argv[2] === '--sum') summarize(readFileSync(process.argv[3], 'utf8'))
else await measure(process.argv[2])

async function measure(name) {
  const { prepareTokens, warmedLoad } = await import('./http-kit.mjs')
  const { SCENARIOS } = await import('../dist/http/scenarios.js')
  // SERVER=FILE.mjs: that module's default export `(context) => BenchServer` instead (Yoga if NAME starts so).
  const scenario = process.env.SERVER
    ? { create: (await import(process.env.SERVER)).default }
    : SCENARIOS.find((s) => s.name === name)
  if (!scenario) throw new Error(`unknown scenario ${name}`)
  const { count, tokensFile, context, close } = await prepareTokens({
    allValid: !process.env.MIXED,
    count: Number(process.env.COUNT ?? 10_000),
  })
  const server = await scenario.create(context)
  const load = await warmedLoad(await server.listen(), tokensFile, count, { yoga: name.startsWith('Yoga') })
  for (let i = 0; i < Number(process.env.ROUNDS ?? 3); i++) {
    const start = performance.now()
    const r = await load.round()
    console.log(`ROUND ${start} ${performance.now()} ${r.requests} ${r.cpuPerRequest} ${r.rps}`)
  }
  load.close()
  await server.close()
  await close()
}

/** Per round: the scavenges of this process that fell inside it (the load generator, a child, logs its own). */
function summarize(text) {
  const pid = text.match(/^\[(\d+)/m)[1]
  const scavenges = [...text.matchAll(/^\[(\d+):\S+\]\s+(\d+) ms: (.*gc=s .*)$/gm)]
    .filter((m) => m[1] === pid)
    .map((m) => ({ at: Number(m[2]), ...fields(m[3]) }))
  const markCompacts = [...text.matchAll(/^\[(\d+):\S+\]\s+(\d+) ms: (.*gc=mc .*)$/gm)]
    .filter((m) => m[1] === pid)
    .map((m) => ({ at: Number(m[2]), ...fields(m[3]) }))
  for (const m of text.matchAll(/^ROUND (\S+) (\S+) (\S+) (\S+) (\S+)$/gm)) {
    const [start, end, requests, cpu, rps] = m.slice(1).map(Number)
    const inRound = scavenges.filter((g) => g.at >= start && g.at <= end)
    const majors = markCompacts.filter((g) => g.at >= start && g.at <= end)
    // Main-thread pause and incremental marking steps, plus the helper threads' marking and sweeping.
    const majorMicros = majors.reduce(
      (a, g) =>
        a +
        (g.pause ?? 0) +
        (g.incremental ?? 0) +
        (g['background.mark'] ?? 0) +
        (g['background.sweep'] ?? 0) +
        (g['background.evacuate.copy'] ?? 0) +
        (g['background.evacuate.update_pointers'] ?? 0),
      0,
    )
    const perRequest = (key, scale) => (inRound.reduce((a, g) => a + (g[key] ?? 0), 0) * scale) / requests
    console.log(
      `${Math.round(rps)} req/s, CPU ${cpu.toFixed(1)} µs/req; ${inRound.length} scavenges: ` +
        `allocated ${perRequest('allocated', 1 / 1024).toFixed(2)} KB/req, ` +
        `survived ${perRequest('new_space_survived', 1 / 1024).toFixed(2)} KB/req, ` +
        `pause ${perRequest('pause', 1000).toFixed(1)} µs/req, ` +
        `helper threads ${perRequest('background.scavenge.parallel', 1000).toFixed(1)} µs/req; ` +
        `${majors.length} mark-compacts: ${((majorMicros * 1000) / requests).toFixed(1)} µs/req`,
    )
  }
}

function fields(line) {
  return Object.fromEntries([...line.matchAll(/([a-z_.]+)=([0-9.]+)/g)].map((m) => [m[1], Number(m[2])]))
}
