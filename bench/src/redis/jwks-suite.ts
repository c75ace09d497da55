import { fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer, startTestIssuer } from '@portcullis/testing'
import { onShutdown } from '../lib/cleanup.js'
import { budgets, type RunOptions } from '../lib/options.js'
import type { SuiteReport, TargetResult } from '../lib/report.js'
import { mintTokens } from '../lib/tokens.js'
import type { InstanceMessage } from './jwks-instance.js'

const here = dirname(fileURLToPath(import.meta.url))
const AUDIENCE = 'https://api.test'
const TTL_SEC = 2
const REFRESHES = 2

/**
 * N instances (processes) of one service trust the same issuer: how many times does the issuer serve its JWKS
 * at start and at each refresh? With Redis the fetch lock should make it one per refresh; without, N.
 */
export default async function run(options: RunOptions): Promise<SuiteReport> {
  const n = budgets(options.smoke).jwksInstances
  const issuer = await startTestIssuer({ algs: ['ES256'] })
  const redis = await startRedisServer()
  const forgetRedis = onShutdown(() => redis.close())
  const rows: (string | number)[][] = []
  const targets: TargetResult[] = []
  try {
    const [token] = await mintTokens(issuer.key('ES256'), 1, { issuer: issuer.url, audience: AUDIENCE })
    for (const shared of [true, false]) {
      await redis.kill() // empty Redis between the two runs: nothing shared carried over
      await redis.start()
      issuer.resetCounts()
      const instances = Array.from({ length: n }, () =>
        fork(
          join(here, 'jwks-instance.js'),
          [
            JSON.stringify({
              issuer: issuer.url,
              audience: AUDIENCE,
              ttlSec: TTL_SEC,
              token,
              ...(shared && { redisUrl: redis.url }),
            }),
          ],
          { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
        ),
      )
      const all = async (type: InstanceMessage['type']) => {
        const replies = instances.map(
          (child) =>
            new Promise<InstanceMessage>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`jwks instance: no reply to ${type}`)), 15_000)
              child.once('message', (message: InstanceMessage) => {
                clearTimeout(timer)
                resolve(message)
              })
            }),
        )
        if (type !== 'ready') for (const child of instances) child.send({ type })
        return Promise.all(replies)
      }
      try {
        await all('ready')
        const counts: number[] = []
        const failures: string[] = []
        // Start: every instance authenticates at once, with nothing loaded yet.
        let replies = await all('authenticate')
        counts.push(issuer.counts.jwks)
        for (let refresh = 1; refresh <= REFRESHES; refresh++) {
          await new Promise((resolve) => setTimeout(resolve, TTL_SEC * 1000 + 500))
          // Past the TTL: the next request serves the stale set and starts a background refresh in each instance.
          replies = await all('authenticate')
          await new Promise((resolve) => setTimeout(resolve, 2000))
          counts.push(issuer.counts.jwks - counts.reduce((a, b) => a + b, 0))
          failures.push(...replies.filter((reply) => reply.error).map((reply) => reply.error as string))
        }
        const mode = shared ? `${n} instances, shared Redis` : `${n} instances, no Redis`
        rows.push([
          mode,
          counts[0] ?? 0,
          counts.slice(1).join(', '),
          issuer.counts.discovery,
          failures.length ? failures.join('; ') : 'all 200',
        ])
        if (shared) {
          const pass = counts.every((count) => count === 1)
          targets.push({
            target: 'N instances cause one JWKS fetch per refresh, not N',
            measured: `${n} instances: ${counts.join(', ')} fetches (start, then each refresh)`,
            pass,
          })
        }
      } finally {
        for (const child of instances) child.kill()
      }
    }
  } finally {
    await redis.close()
    forgetRedis()
    await issuer.close()
  }
  return {
    suite: 'jwks',
    title: 'JWKS fetches to the issuer for N instances',
    tables: [
      {
        title: `JWKS fetches counted by the issuer (jwks.ttlSec ${TTL_SEC}, cooldownSec 0)`,
        columns: [
          'instances',
          'fetches at start',
          `fetches per refresh (${REFRESHES} refreshes)`,
          'discovery fetches (total)',
          'requests',
        ],
        rows,
      },
    ],
    targets,
    notes: [
      'Each instance is its own process with its own Auth; all authenticate at the same moment at start, then again just after the key set went past its TTL (stale-while-revalidate starts one background refresh per instance).',
      'Discovery documents are not shared through Redis (each instance looks up `jwks_uri` once); only key sets are.',
    ],
  }
}
