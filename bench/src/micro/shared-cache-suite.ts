import { type KeyObject, verify } from 'node:crypto'
import { type Auth, createAuth } from '@portcullis/core'
import { startRedisServer, startTestIssuer, type TestAlg } from '@portcullis/testing'
import { measure } from 'mitata'
import { onShutdown } from '../lib/cleanup.js'
import { budgets, type RunOptions } from '../lib/options.js'
import { commandDelta, describeDelta, RedisStats } from '../lib/redis-stats.js'
import { formatRatio, formatUs, type SuiteReport } from '../lib/report.js'
import { median } from '../lib/stats.js'
import { mintTokens } from '../lib/tokens.js'

const ALGS: readonly TestAlg[] = ['RS512', 'ES256', 'EdDSA']
const AUDIENCE = 'https://api.test'
const CONCURRENCY = 64

/**
 * The core issue's open question: on an L1 miss, is a GET from the shared Redis token cache (`redis.tokenCache`)
 * cheaper than checking the signature locally? Both paths are measured through `authenticate()` with L1 bounded
 * to one entry (every call misses), sequentially (latency) and 64 in flight (throughput and CPU per request,
 * Node and Redis counted separately).
 */
export default async function run(options: RunOptions): Promise<SuiteReport> {
  const budget = budgets(options.smoke)
  const issuer = await startTestIssuer({ algs: ALGS })
  const redis = await startRedisServer()
  const forgetRedis = onShutdown(() => redis.close())
  const stats = new RedisStats(redis.url)
  const rows: (string | number)[][] = []
  const verdicts: string[] = []
  const auths: Auth[] = []
  try {
    const count = options.smoke ? 32 : 1024
    const mask = count - 1
    for (const alg of ALGS) {
      const tokens = await mintTokens(issuer.key(alg), count, { issuer: issuer.url, audience: AUDIENCE })
      const inputs = tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } }))
      const base = {
        audience: AUDIENCE,
        issuers: [{ issuer: issuer.url, jwksUri: issuer.jwksUri }],
        tokenCache: { maxEntries: 1 },
      }
      const local = createAuth(base)
      const shared = createAuth({ ...base, redis: { url: redis.url, tokenCache: true } })
      auths.push(local, shared)
      await Promise.all([local.ready(), shared.ready()])
      // First pass stores every token in Redis (miss, verify, SET); from then on the shared path is all GET hits.
      for (const input of inputs) await shared.authenticate(input)

      const publicKey: KeyObject = issuer.key(alg).publicKey
      const floorKey = alg.startsWith('ES')
        ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
        : publicKey
      const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`
      const split = tokens.map((token) => {
        const dot = token.lastIndexOf('.')
        return {
          input: Buffer.from(token.slice(0, dot)),
          signature: Buffer.from(token.slice(dot + 1), 'base64url'),
        }
      })
      await stats.client.set('bench:probe', 'x'.repeat(600))

      let i = 0
      const next = () => (i = (i + 1) & mask)
      const cases = {
        floor: () => verify(hash, split[next()]!.input, floorKey, split[i]!.signature),
        get: () => stats.client.get('bench:probe'),
        local: () => local.authenticate(inputs[next()]!),
        shared: () => shared.authenticate(inputs[next()]!),
      }
      const latency: Record<string, number[]> = { floor: [], get: [], local: [], shared: [] }
      const rounds = options.smoke ? 1 : 3
      for (let round = 0; round < rounds; round++) {
        for (const [name, fn] of Object.entries(cases)) {
          latency[name]!.push((await measure(fn, { min_cpu_time: budget.microMinCpuNs })).p50)
        }
      }

      // Throughput with many requests in flight: wall time, this process's CPU and Redis's CPU per request.
      const loaded = async (auth: Auth) => {
        const ops = budget.l2Ops
        const redisBefore = await stats.cpuSeconds()
        const commandsBefore = await stats.commands()
        const cpuBefore = process.cpuUsage()
        const started = performance.now()
        let issued = 0
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (issued < ops) {
              issued++
              await auth.authenticate(inputs[next()]!)
            }
          }),
        )
        const wallNs = (performance.now() - started) * 1e6
        const cpu = process.cpuUsage(cpuBefore)
        const commands = commandDelta(commandsBefore, await stats.commands())
        const redisCpuNs = ((await stats.cpuSeconds()) - redisBefore) * 1e9
        return {
          wall: wallNs / ops,
          node: ((cpu.user + cpu.system) * 1000) / ops,
          redis: redisCpuNs / ops,
          commands,
        }
      }
      const localLoad = await loaded(local)
      const sharedLoad = await loaded(shared)

      const ns = (name: string) => median(latency[name]!)
      rows.push(
        [
          alg,
          'local signature check (L1 miss, no Redis)',
          formatUs(ns('local')),
          formatUs(localLoad.wall),
          formatUs(localLoad.node),
          '0',
          describeDelta(localLoad.commands),
        ],
        [
          alg,
          'shared Redis token cache hit (L1 miss, GET)',
          formatUs(ns('shared')),
          formatUs(sharedLoad.wall),
          formatUs(sharedLoad.node),
          formatUs(sharedLoad.redis),
          describeDelta(sharedLoad.commands),
        ],
        [alg, 'reference: crypto.verify alone', formatUs(ns('floor')), '', '', '', ''],
        [alg, 'reference: one ioredis GET alone', formatUs(ns('get')), '', '', '', ''],
      )
      const sequentialWinner = ns('shared') < ns('local') ? 'Redis GET' : 'local verify'
      const loadedLocal = localLoad.node
      const loadedShared = sharedLoad.node + sharedLoad.redis
      const cpuWinner = loadedShared < loadedLocal ? 'Redis GET' : 'local verify'
      verdicts.push(
        `${alg}: sequential latency ${formatUs(ns('local'))} µs local vs ${formatUs(ns('shared'))} µs via Redis (${sequentialWinner} cheaper, ${formatRatio(Math.max(ns('local'), ns('shared')) / Math.min(ns('local'), ns('shared')))}); ` +
          `under ${CONCURRENCY} in flight ${formatUs(localLoad.wall)} vs ${formatUs(sharedLoad.wall)} µs/request wall, CPU ${formatUs(loadedLocal)} µs (Node) vs ${formatUs(loadedShared)} µs (Node + Redis) per request: ${cpuWinner} cheaper.`,
      )
    }
  } finally {
    for (const auth of auths) await auth.close()
    await stats.close()
    await redis.close()
    forgetRedis()
    await issuer.close()
  }
  return {
    suite: 'l2',
    title: 'Shared Redis token cache (L2) vs local signature check on an L1 miss',
    tables: [
      {
        title: 'L1 miss: Redis GET (redis.tokenCache: true) vs local verify, per alg',
        columns: [
          'alg',
          'path',
          'sequential µs/op (p50)',
          `µs/request wall, ${CONCURRENCY} in flight`,
          'Node CPU µs/request',
          'Redis CPU µs/request',
          'Redis commands in the loaded run',
        ],
        rows,
      },
    ],
    targets: [],
    notes: [
      'Both auths have L1 bounded to one entry so every request misses it; the Redis one was primed, so each request is one GET hit plus the claim re-check (no signature check). Redis is a local redis-server on 127.0.0.1.',
      ...verdicts,
    ],
  }
}
