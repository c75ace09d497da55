import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

/** The load generator, in a process of its own: autocannon over a fixed request list (one per token). */
export interface LoadSpec {
  url: string
  method: 'GET' | 'POST'
  body?: string
  /** JSON file: string[] of tokens, and the X-Forwarded-For address each one comes from. */
  tokensFile: string
  connections: number
  /** How long to run; with `amount`, only the upper bound the runner enforces. */
  durationSec: number
  /** Send exactly this many requests instead of running for `durationSec`. */
  amount?: number
}

export interface LoadResult {
  requests: number
  rps: number
  p50Ms: number
  p99Ms: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
}

const spec = JSON.parse(process.argv[2] as string) as LoadSpec
const tokens = JSON.parse(readFileSync(spec.tokensFile, 'utf8')) as string[]
const headers = (token: string, i: number) => ({
  authorization: `Bearer ${token}`,
  // One client address per user (all in 127/8), so per-client failure limits behave as in production.
  'x-forwarded-for': `127.1.${(i >> 8) & 255}.${i & 255}`,
  // As from a TLS-terminating proxy in front of the app.
  'x-forwarded-proto': 'https',
  ...(spec.body !== undefined && { 'content-type': 'application/json' }),
})
// One shared cursor over the token list: every request, whichever connection sends it, takes the next user, so a
// run visits all users in turn (a fixed list per connection would have every connection replay the same first few).
let cursor = 0
const requests = [
  {
    method: spec.method,
    ...(spec.body !== undefined && { body: spec.body }),
    setupRequest: (request: Record<string, unknown>) => {
      const i = cursor++ % tokens.length
      request.headers = headers(tokens[i] as string, i)
      return request
    },
  },
]
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  pipelining: 1,
  ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.durationSec }),
  requests: requests as never,
  // Bounded: stops by time, and never waits long on a stuck server.
  timeout: 10,
})
const out: LoadResult = {
  requests: result.requests.total,
  rps: result.requests.total / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
}
process.send?.(out, () => process.exit(0))
