import { fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAuth, type PortcullisConfigInput } from '@portcullis/core'
import { startRedisServer, startTestIssuer } from '@portcullis/testing'
import { onShutdown } from '../lib/cleanup.js'
import { budgets, type RunOptions } from '../lib/options.js'
import { commandDelta, describeDelta, RedisStats, totalOf } from '../lib/redis-stats.js'
import type { SuiteReport, TargetResult } from '../lib/report.js'
import { percentile, round } from '../lib/stats.js'
import { mintTokens } from '../lib/tokens.js'
import type { PeerMessage } from './revocation-peer.js'

const here = dirname(fileURLToPath(import.meta.url))
const AUDIENCE = 'https://api.test'

/**
 * Redis round trips per authenticated request at steady state (INFO commandstats before and after), and how
 * long a revocation made in one process takes to refuse the token in another.
 */
export default async function run(options: RunOptions): Promise<SuiteReport> {
  const budget = budgets(options.smoke)
  const issuer = await startTestIssuer({ algs: ['EdDSA'] })
  const redis = await startRedisServer({ args: ['--notify-keyspace-events', 'K$g'] })
  const forgetRedis = onShutdown(() => redis.close())
  const stats = new RedisStats(redis.url)
  const rows: (string | number)[][] = []
  const targets: TargetResult[] = []
  const notes: string[] = []
  try {
    const tokens = await mintTokens(issuer.key('EdDSA'), 1000, { issuer: issuer.url, audience: AUDIENCE })
    const inputs = tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } }))
    const base: PortcullisConfigInput = {
      audience: AUDIENCE,
      issuers: [{ issuer: issuer.url, jwksUri: issuer.jwksUri }],
    }
    const variants: { name: string; config: PortcullisConfigInput; hot: boolean }[] = [
      { name: 'default (eventual), L1 hit', config: { ...base, redis: { url: redis.url } }, hot: true },
      {
        name: 'default (eventual), L1 miss',
        config: { ...base, redis: { url: redis.url }, tokenCache: { maxEntries: 1 } },
        hot: true,
      },
      {
        name: 'redis.tokenCache: true, L1 miss',
        config: { ...base, redis: { url: redis.url, tokenCache: true }, tokenCache: { maxEntries: 1 } },
        hot: false,
      },
      {
        name: "revocation.consistency: 'strict', L1 hit",
        config: { ...base, redis: { url: redis.url }, revocation: { consistency: 'strict' } },
        hot: false,
      },
    ]
    for (const variant of variants) {
      const auth = createAuth(variant.config)
      try {
        await auth.ready()
        // Warm: keys loaded, revocation view synced, L1 (and L2) filled.
        for (const input of inputs) await auth.authenticate(input)
        const requests = budget.redisRequests
        const before = await stats.commands()
        for (let i = 0; i < requests; i++) await auth.authenticate(inputs[i % inputs.length]!)
        const delta = commandDelta(before, await stats.commands())
        const perRequest = totalOf(delta) / requests
        rows.push([variant.name, requests, totalOf(delta), round(perRequest, 4), describeDelta(delta)])
        if (variant.hot) {
          // Per-request commands would number at least one per request; the background resync (a version check
          // or SCAN every resyncIntervalSec) may land a command or two in the window whatever the traffic.
          const background = totalOf(delta) < Math.max(3, requests / 1000)
          targets.push({
            target: `Zero Redis round trips per request, ${variant.name}`,
            measured: background
              ? `0 per request (${totalOf(delta) === 0 ? 'no command at all' : `${describeDelta(delta)} from the background resync`} in ${requests.toLocaleString('en-US')} requests)`
              : `${round(perRequest, 4)} commands/request (${describeDelta(delta)})`,
            pass: background,
          })
        }
      } finally {
        await auth.close()
      }
    }

    const latencies = await measurePropagation(
      redis.url,
      issuer.url,
      issuer.jwksUri,
      tokens.slice(0, budget.propagationSamples),
    )
    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    notes.push(
      `Revocation propagation: process A calls \`auth.revoke.token(jti)\`; process B, polling \`authenticate()\` on that (L1-cached) token, sees \`token_revoked\`. ${latencies.length} samples, times from one clock (performance.timeOrigin + now in each process): p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms, max ${round(Math.max(...latencies), 2)} ms.`,
    )
    targets.push({
      target: 'Revocation propagation p99 < 100 ms (two processes)',
      measured: `p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms`,
      pass: p99 < 100,
    })
  } finally {
    await stats.close()
    await redis.close()
    forgetRedis()
    await issuer.close()
  }
  return {
    suite: 'redis',
    title: 'Redis accounting',
    tables: [
      {
        title: 'Redis commands per authenticated request at steady state (INFO commandstats delta)',
        columns: ['mode', 'requests', 'commands', 'commands/request', 'which'],
        rows,
      },
    ],
    targets,
    notes: [
      'Each mode: one Auth on a local redis-server, warmed over 1000 EdDSA tokens (keys loaded, revocation view synced, caches filled), then counted over the measured requests. A background resync that falls inside the window is counted in the table; the verdict tells it from per-request commands (at most a handful, and fewer than one per 1000 requests).',
      ...notes,
    ],
  }
}

/** Two peer processes on the same Redis: A revokes, B watches; returns one latency (ms) per token. */
async function measurePropagation(
  redisUrl: string,
  issuer: string,
  jwksUri: string,
  tokens: string[],
): Promise<number[]> {
  const start = (role: 'revoker' | 'watcher') =>
    fork(
      join(here, 'revocation-peer.js'),
      [role, JSON.stringify({ redisUrl, issuer, jwksUri, audience: AUDIENCE })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
  const revoker = start('revoker')
  const watcher = start('watcher')
  const waitFor = (child: ReturnType<typeof fork>, type: string) =>
    new Promise<PeerMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer: no ${type} within 10 s`)), 10_000)
      const onMessage = (message: PeerMessage) => {
        if (message.type !== type) return
        clearTimeout(timer)
        child.off('message', onMessage)
        resolve(message)
      }
      child.on('message', onMessage)
    })
  try {
    await Promise.all([waitFor(revoker, 'ready'), waitFor(watcher, 'ready')])
    const latencies: number[] = []
    for (const token of tokens) {
      watcher.send({ type: 'watch', token })
      await waitFor(watcher, 'watching')
      revoker.send({ type: 'revoke', token })
      const [revoked, seen] = await Promise.all([waitFor(revoker, 'revoked'), waitFor(watcher, 'seen')])
      latencies.push(seen.at === -1 ? 5000 : (seen.at as number) - (revoked.at as number))
    }
    return latencies
  } finally {
    revoker.kill()
    watcher.kill()
  }
}
