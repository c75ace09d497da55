import { type ChildProcess, fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer, startTestIssuer } from '@portcullis/testing'
import { onShutdown } from '../lib/cleanup.js'
import { LOAD_CPU, pinToCpu, SERVER_CPU } from '../lib/cpu-pinning.js'
import { budgets, type RunOptions } from '../lib/options.js'
import { commandDelta, describeDelta, RedisStats, totalOf } from '../lib/redis-stats.js'
import { formatRatio, type SuiteReport, type TargetResult } from '../lib/report.js'
import { median, percentile, round } from '../lib/stats.js'
import { claimsOf, mintTokens, tamper } from '../lib/tokens.js'
import { ROUTE, type ServerContext } from './context.js'
import { LoadGenerator } from './load-client.js'
import type { LoadResult, LoadSpec } from './loadgen.js'
import { type Framework, SCENARIOS, type Scenario } from './scenarios.js'
import type { ServerMessage } from './server-child.js'

const here = dirname(fileURLToPath(import.meta.url))
const AUDIENCE = 'https://api.test'
const FRAMEWORKS: readonly Framework[] = ['express', 'nest', 'yoga']

interface Running {
  scenario: Scenario
  child: ChildProcess
  port: number
}

interface Measured {
  round: number
  /** Which of the scenario's server processes served it (0 for the first). */
  process: number
  load: LoadResult
  cpuMicros: number
  redisCommands?: Map<string, number>
}

/**
 * Throughput over real HTTP: each server in a child process, autocannon in another, the same token set for all
 * (distinct users, 1% with a broken signature, 0.1% revoked before the run). Rounds visit every scenario in turn,
 * and every ratio compares numbers from the same round.
 */
export default async function run(options: RunOptions): Promise<SuiteReport> {
  const budget = budgets(options.smoke)
  const issuer = await startTestIssuer({ algs: ['RS256'] })
  const redis = await startRedisServer({ args: ['--notify-keyspace-events', 'K$g'] })
  const forgetRedis = onShutdown(() => redis.close())
  const redisStats = new RedisStats(redis.url)
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'))
  const running: Running[] = []
  const failed: string[] = []
  const measured = new Map<string, Measured[]>()
  const loadgen = new LoadGenerator()
  let pinned = pinToCpu(loadgen.pid, LOAD_CPU)
  try {
    const count = budget.httpTokens
    const tokens = await mintTokens(issuer.key('RS256'), count, {
      issuer: issuer.url,
      audience: AUDIENCE,
      expiresIn: 7200,
    })
    const revokedJtis: ServerContext['revokedJtis'] = []
    let invalid = 0
    for (let i = 0; i < count; i++) {
      if (i % 100 === 37) {
        tokens[i] = tamper(tokens[i]!)
        invalid++
      } else if (i % 1000 === 500) {
        const claims = claimsOf(tokens[i]!)
        revokedJtis.push({ jti: claims.jti as string, exp: claims.exp as number })
      }
    }
    const expectedRefused = (invalid + revokedJtis.length) / count
    const tokensFile = join(dir, 'tokens.json')
    writeFileSync(tokensFile, JSON.stringify(tokens))
    const context: ServerContext = {
      issuer: issuer.url,
      jwksUri: issuer.jwksUri,
      audience: AUDIENCE,
      alg: 'RS256',
      revokedJtis,
      redisUrl: redis.url,
    }

    const start = async (scenario: Scenario): Promise<Running> => {
      const server = await startServer(scenario, context)
      pinned = pinToCpu(server.child.pid, SERVER_CPU) && pinned
      running.push(server)
      onShutdown(async () => void server.child.kill())
      return server
    }
    for (const scenario of SCENARIOS) {
      try {
        await start(scenario)
      } catch (error) {
        failed.push(`${scenario.name}: ${(error as Error).message.split('\n')[0]}`)
      }
    }

    // Framework by framework, so a scenario is measured seconds from its bare baseline; the order reverses every
    // round, so neither always follows the other. The machine's speed drifts by tens of percent over minutes
    // here: only ratios between neighbours in time mean anything. Every few rounds, every server of the framework
    // is replaced by a fresh process (warmed up again like the first): one process's JIT and heap can settle
    // a few percent faster or slower than another's of the same code, and several per scenario average that luck.
    for (const framework of FRAMEWORKS) {
      let group = running.filter((server) => server.scenario.framework === framework)
      for (let r = 0; r < budget.httpRounds; r++) {
        const restart = r > 0 && r % budget.httpRoundsPerProcess === 0
        const fresh = r === 0 || restart
        if (restart) {
          const next: Running[] = []
          for (const old of group) {
            old.child.kill()
            running.splice(running.indexOf(old), 1)
            next.push(await start(old.scenario))
          }
          group = next
        }
        for (const server of r % 2 === 0 ? group : [...group].reverse()) {
          const spec = (durationSec: number): LoadSpec => ({
            url: `http://127.0.0.1:${server.port}${server.scenario.body ? '/graphql' : ROUTE}`,
            method: server.scenario.body ? 'POST' : 'GET',
            ...(server.scenario.body !== undefined && { body: server.scenario.body }),
            tokensFile,
            connections: budget.httpConnections,
            durationSec,
          })
          if (
            fresh &&
            (server.scenario.kind === 'portcullis' || server.scenario.kind === 'portcullis-redis')
          ) {
            await loadgen.run({ ...spec(300), amount: tokens.length })
          }
          await loadgen.run(spec(fresh ? budget.httpFirstWarmupSec : budget.httpWarmupSec))
          const cpuBefore = await serverCpu(server.child)
          const commandsBefore =
            server.scenario.kind === 'portcullis-redis' ? await redisStats.commands() : undefined
          const load = await loadgen.run(spec(budget.httpMeasureSec))
          const cpuAfter = await serverCpu(server.child)
          const result: Measured = {
            round: r,
            process: Math.floor(r / budget.httpRoundsPerProcess),
            load,
            cpuMicros: cpuAfter - cpuBefore,
          }
          if (commandsBefore) result.redisCommands = commandDelta(commandsBefore, await redisStats.commands())
          measured.set(server.scenario.name, [...(measured.get(server.scenario.name) ?? []), result])
          if (r === 0 || r === budget.httpRounds - 1) {
            console.log(
              `  round ${r + 1}/${budget.httpRounds}: ${server.scenario.name}: ${Math.round(load.rps)} req/s, p99 ${load.p99Ms} ms, ${load.non2xx} non-2xx of ${load.requests}`,
            )
          }
        }
      }
    }

    keepRounds(measured)
    return buildReport(measured, failed, expectedRefused, count, invalid, revokedJtis.length, budget, pinned)
  } finally {
    loadgen.close()
    for (const server of running) server.child.kill()
    await redisStats.close()
    await redis.close()
    forgetRedis()
    await issuer.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function buildReport(
  measured: Map<string, Measured[]>,
  failed: string[],
  expectedRefused: number,
  count: number,
  invalid: number,
  revoked: number,
  budget: ReturnType<typeof budgets>,
  pinned: boolean,
): SuiteReport {
  const processes = Math.ceil(budget.httpRounds / budget.httpRoundsPerProcess)
  const rows: (string | number)[][] = []
  const targets: TargetResult[] = []
  const notes: string[] = []
  for (const framework of FRAMEWORKS) {
    const scenarios = SCENARIOS.filter((s) => s.framework === framework && measured.has(s.name))
    const bare = scenarios.find((s) => s.kind === 'bare')
    const bareRuns = bare ? measured.get(bare.name)! : []
    const roundRatios = (runs: Measured[]) =>
      runs.map((run) => run.load.rps / (bareRuns.find((b) => b.round === run.round)?.load.rps ?? Number.NaN))
    const ratioToBare = (runs: Measured[]) => median(roundRatios(runs))
    const peers = scenarios.filter((s) => s.kind === 'peer')
    const peerRatio = (name: string) => ratioToBare(measured.get(name)!)
    const bestPeer = peers.length
      ? peers.reduce((best, s) => (peerRatio(s.name) > peerRatio(best.name) ? s : best))
      : undefined
    for (const scenario of scenarios) {
      const runs = measured.get(scenario.name)!
      const refused = median(runs.map((run) => run.load.non2xx / Math.max(1, run.load.requests)))
      const expected = scenario.kind === 'bare' || scenario.kind === 'reference' ? 0 : expectedRefused
      const statusesOk =
        Math.abs(refused - expected) < 0.005 &&
        runs.every((run) => run.load.errors === 0 && run.load.timeouts === 0)
      const cpuPerRequest = median(runs.map((run) => run.cpuMicros / Math.max(1, run.load.requests)))
      const bareCpu = median(bareRuns.map((run) => run.cpuMicros / Math.max(1, run.load.requests)))
      const vsBest =
        bestPeer && scenario.kind.startsWith('portcullis')
          ? formatRatio(ratioToBare(runs) / peerRatio(bestPeer.name))
          : ''
      const redisPerRequest = runs[0]?.redisCommands
        ? `${round(median(runs.map((run) => totalOf(run.redisCommands!) / Math.max(1, run.load.requests))), 4)} (${describeDelta(runs[runs.length - 1]!.redisCommands!)})`
        : ''
      rows.push([
        scenario.name,
        Math.round(median(runs.map((run) => run.load.rps))).toLocaleString('en-US'),
        formatRatio(ratioToBare(runs)),
        scenario.kind === 'bare' ? '' : quartiles(roundRatios(runs)),
        vsBest,
        round(median(runs.map((run) => run.load.p50Ms)), 1),
        round(median(runs.map((run) => run.load.p99Ms)), 1),
        round(cpuPerRequest, 1),
        formatRatio(cpuPerRequest / bareCpu),
        `${(refused * 100).toFixed(2)}% ${statusesOk ? '✓' : '✗'}`,
        redisPerRequest,
      ])
    }
    const ours = scenarios.find((s) => s.kind === 'portcullis')
    const label = { express: 'Express', nest: 'NestJS', yoga: 'Yoga' }[framework]
    if (!ours || !bare) {
      targets.push({
        target: `${label} + Portcullis ≥ 0.90× bare ${label}, ahead of every ${label} peer`,
        measured: 'not measured in this run (see notes)',
        pass: undefined,
      })
      continue
    }
    const ratio = ratioToBare(measured.get(ours.name)!)
    targets.push({
      target: `${label} + Portcullis (in-process) ≥ 0.90× bare ${label} throughput`,
      // Three decimals: at two, 0.8995× would read "0.90×" beside a FAIL.
      measured: `${ratio.toFixed(3)}× (per round: ${quartiles(roundRatios(measured.get(ours.name)!))})`,
      pass: ratio >= 0.9,
    })
    if (bestPeer) {
      const lead = ratio / peerRatio(bestPeer.name)
      targets.push({
        target: `${label} + Portcullis ahead of every ${label} peer`,
        measured: `${formatRatio(lead)} the best peer (${bestPeer.name}, ${formatRatio(peerRatio(bestPeer.name))} bare)`,
        pass: lead > 1,
      })
    }
  }
  notes.push(
    `${count.toLocaleString('en-US')} RS256 tokens of distinct users (2048-bit key), ${invalid} with a broken signature (1%), ${revoked} revoked before the run (0.1%): ${(expectedRefused * 100).toFixed(2)}% of requests should be refused (bare serves all). Each comes from its own X-Forwarded-For address; every app trusts the loopback proxy.`,
    pinned
      ? `The load generator runs pinned to CPU ${LOAD_CPU} and every server to CPU ${SERVER_CPU} (taskset), so neither competes with the other for a core.`
      : 'Processes were NOT pinned to CPUs (taskset missing or fewer than 2 CPUs): expect more run-to-run spread.',
    `autocannon in one long-lived process, ${budget.httpConnections} connections, no pipelining. Framework by framework, ${budget.httpRounds} round(s) visit its scenarios in turn, in reverse order every other round; each visit is a ${budget.httpWarmupSec} s warm-up (${budget.httpFirstWarmupSec} s in the first round) then ${budget.httpMeasureSec} s measured.${processes > 1 ? ` Every server is replaced by a fresh process every ${budget.httpRoundsPerProcess} rounds (warmed up as in the first), so each scenario's rounds come from ${processes} processes.` : ''} Ratios to bare are taken within each round (seconds apart), then the median: this machine's speed drifts by tens of percent over minutes, so only neighbours in time compare. "Per round: quartiles" is the spread of those per-round ratios (first and third quartile): how far one round can stray.`,
    'Portcullis runs with its defaults (L1 token cache of 10,000 entries, failure rate limiting on, revocation checked on every request). The peers have no token cache of their own (jwks-rsa and express-oauth2-jwt-bearer cache keys only), so after warm-up Portcullis mostly serves L1 hits while they verify every signature; peers check revocation with a Set of the revoked jtis.',
    "Server CPU µs/request is the server process's CPU time over the measured run divided by its requests: unlike req/s, it does not depend on what else the machine is running.",
  )
  if (failed.length) notes.push(`Not measured: ${failed.join('; ')}`)
  return {
    suite: 'http',
    title: 'HTTP: frameworks with and without authentication',
    tables: [
      {
        title: 'Throughput and cost per request',
        columns: [
          'scenario',
          'req/s',
          '× bare',
          'per round: quartiles',
          '× best peer',
          'p50 ms',
          'p99 ms',
          'server CPU µs/req',
          'CPU × bare',
          'refused (expected ✓)',
          'Redis commands/req',
        ],
        rows,
      },
    ],
    targets,
    notes,
  }
}

/** First and third quartile of per-round ratios, e.g. `0.86–0.93×`. */
function quartiles(ratios: number[]): string {
  return `${percentile(ratios, 25).toFixed(2)}–${percentile(ratios, 75).toFixed(2)}×`
}

/** Every measured round, for reading the spread behind a median: `.results/http-rounds.json`. */
function keepRounds(measured: Map<string, Measured[]>): void {
  const dir = join(here, '..', '..', '.results')
  mkdirSync(dir, { recursive: true })
  const rounds = [...measured].flatMap(([scenario, runs]) =>
    runs.map((run) => ({
      scenario,
      round: run.round,
      process: run.process,
      rps: Math.round(run.load.rps),
      cpuMicrosPerRequest: round(run.cpuMicros / Math.max(1, run.load.requests), 1),
      requests: run.load.requests,
      non2xx: run.load.non2xx,
    })),
  )
  writeFileSync(join(dir, 'http-rounds.json'), `${JSON.stringify(rounds, null, 1)}\n`)
}

function startServer(scenario: Scenario, context: ServerContext): Promise<Running> {
  const child = fork(join(here, 'server-child.js'), [scenario.name, JSON.stringify(context)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error('did not start within 60 s'))
    }, 60_000)
    child.once('message', (message: ServerMessage) => {
      clearTimeout(timer)
      if (message.type === 'listening') resolve({ scenario, child, port: message.port })
      else {
        child.kill()
        reject(new Error(message.type === 'error' ? message.error : 'unexpected message'))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}`))
    })
  })
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report its CPU time')), 10_000)
    const onMessage = (message: ServerMessage) => {
      if (message.type !== 'cpu') return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(message.micros)
    }
    child.on('message', onMessage)
    child.send({ type: 'cpu' })
  })
}
