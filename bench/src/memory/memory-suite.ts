import { createHmac, randomUUID } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { budgets, type RunOptions } from '../lib/options.js'
import type { SuiteReport } from '../lib/report.js'

const ISSUER = 'https://issuer.bench.test'
const AUDIENCE = 'https://api.test'
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'
const MiB = 2 ** 20

/**
 * RSS and heap while 1M distinct tokens go through one instance with the default L1 bounds (10,000 entries,
 * 64 MiB). Tokens are HS256 so minting a million costs seconds; every one is verified (a miss), then cached.
 */
export default async function run(options: RunOptions): Promise<SuiteReport> {
  const total = budgets(options.smoke).memoryTokens
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with --expose-gc')
  const auth = createAuth({
    audience: AUDIENCE,
    issuers: [{ issuer: ISSUER, algorithms: ['HS256'], hsSecret: SECRET }],
  })
  await auth.ready()
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const mint = (i: number) => {
    const payload = Buffer.from(
      JSON.stringify({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: `user-${i}`,
        email: `user-${i}@example.test`,
        scope: 'read write',
        iat: now,
        exp: now + 3600,
        jti: randomUUID(),
      }),
    ).toString('base64url')
    const input = `${header}.${payload}`
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
  }
  const sample = (tokens: number) => {
    gc()
    const usage = process.memoryUsage()
    return { tokens, rss: usage.rss, heap: usage.heapUsed }
  }
  const checkpoints = new Set(
    [0, 1_000, 10_000, 20_000, 100_000, 250_000, 500_000, 750_000, 1_000_000].filter((n) => n <= total),
  )
  checkpoints.add(total)
  const samples = [sample(0)]
  const started = performance.now()
  for (let i = 1; i <= total; i++) {
    await auth.authenticate({ headers: { authorization: `Bearer ${mint(i)}` } })
    if (checkpoints.has(i)) samples.push(sample(i))
  }
  const seconds = (performance.now() - started) / 1000
  await auth.close()

  const at = (n: number) => samples.find((s) => s.tokens === n) ?? samples[samples.length - 1]!
  const filled = at(Math.min(20_000, total))
  const last = samples[samples.length - 1]!
  const heapGrowth = last.heap - filled.heap
  const perEntry = (at(10_000).heap - at(0).heap) / 10_000
  return {
    suite: 'memory',
    title: `Memory: ${total.toLocaleString('en-US')} distinct tokens through one instance, default L1 bounds`,
    tables: [
      {
        title: 'Process memory after a full GC at each checkpoint',
        columns: ['tokens seen', 'RSS MiB', 'heap used MiB'],
        rows: samples.map((s) => [
          s.tokens.toLocaleString('en-US'),
          (s.rss / MiB).toFixed(1),
          (s.heap / MiB).toFixed(1),
        ]),
      },
    ],
    targets: [
      {
        target: `Bounded memory under ${total.toLocaleString('en-US')} distinct tokens`,
        measured: `heap ${(filled.heap / MiB).toFixed(1)} MiB once L1 is full (${filled.tokens.toLocaleString('en-US')} tokens) → ${(last.heap / MiB).toFixed(1)} MiB at ${last.tokens.toLocaleString('en-US')} (${heapGrowth >= 0 ? '+' : ''}${(heapGrowth / MiB).toFixed(1)} MiB); RSS ${(last.rss / MiB).toFixed(0)} MiB`,
        pass: heapGrowth < 8 * MiB,
      },
    ],
    notes: [
      `HS256 tokens (~${mint(1).length} bytes), each new, so every request is an L1 miss that verifies and stores; ${Math.round(total / seconds).toLocaleString('en-US')} tokens/s including minting.`,
      `About ${(perEntry / 1024).toFixed(2)} KiB of heap per cached token (first 10,000). Pass: heap grows by less than 8 MiB between a full L1 and the end.`,
    ],
  }
}
