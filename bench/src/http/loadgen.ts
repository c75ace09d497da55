import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

/**
 * The load generator: one long-lived process of its own, told what to load over IPC, one run at a time. It
 * stays up for the whole suite, so its JIT is warm for every run and no run pays a process start: runs can
 * be short, and the suite can alternate scenarios quickly enough that each compares with its neighbours under
 * the same machine conditions.
 */
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

export type LoadMessage = { type: 'run'; spec: LoadSpec }
export type LoadReply = { type: 'result'; result: LoadResult } | { type: 'error'; error: string }

const tokenFiles = new Map<string, string[]>()

function tokensOf(file: string): string[] {
  let tokens = tokenFiles.get(file)
  if (tokens === undefined) {
    tokens = JSON.parse(readFileSync(file, 'utf8')) as string[]
    tokenFiles.set(file, tokens)
  }
  return tokens
}

const headers = (token: string, i: number, body: boolean) => ({
  authorization: `Bearer ${token}`,
  // One client address per user (all in 127/8), so per-client failure limits behave as in production.
  'x-forwarded-for': `127.1.${(i >> 8) & 255}.${i & 255}`,
  // As from a TLS-terminating proxy in front of the app.
  'x-forwarded-proto': 'https',
  ...(body && { 'content-type': 'application/json' }),
})

/** One autocannon run over the token list. */
async function load(spec: LoadSpec): Promise<LoadResult> {
  const tokens = tokensOf(spec.tokensFile)
  // One shared cursor over the token list: every request, whichever connection sends it, takes the next user,
  // so a run visits all users in turn (a fixed list per connection would have every connection replay the
  // same first few).
  let cursor = 0
  const requests = [
    {
      method: spec.method,
      ...(spec.body !== undefined && { body: spec.body }),
      setupRequest: (request: Record<string, unknown>) => {
        const i = cursor++ % tokens.length
        request.headers = headers(tokens[i] as string, i, spec.body !== undefined)
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
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }
}

process.on('message', (message: LoadMessage) => {
  if (message.type !== 'run') return
  load(message.spec).then(
    (result) => process.send?.({ type: 'result', result } satisfies LoadReply),
    (error: unknown) =>
      process.send?.({ type: 'error', error: (error as Error).stack ?? String(error) } satisfies LoadReply),
  )
})
process.on('disconnect', () => process.exit(0))
