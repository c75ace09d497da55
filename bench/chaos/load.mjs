// Load generator for the chaos run, in a process of its own so that it never competes with the server's
// event loop: autocannon against the loopback URL it is given, one token per request, drawn from a pool the
// orchestrator replaces over IPC as tokens are minted (key rotation) and revoked.
import autocannon from 'autocannon'

const { url, connections, durationSec } = JSON.parse(process.argv[2])
/** @type {{ id: string; token: string }[]} */
let pool = []
let cursor = 0

process.on('message', (message) => {
  if (message?.type === 'pool') pool = message.pool
})

const ready = new Promise((resolve) => {
  const check = () => (pool.length > 0 ? resolve() : setTimeout(check, 5))
  check()
})
process.send?.({ type: 'ready' })
await ready

const result = await autocannon({
  url,
  connections,
  pipelining: 1,
  duration: durationSec,
  timeout: 5,
  requests: [
    {
      method: 'GET',
      setupRequest(request) {
        // One shared cursor over a pool the orchestrator shuffled: every token comes round in turn.
        const entry = pool[cursor++ % pool.length]
        request.headers = { authorization: `Bearer ${entry.token}`, 'x-chaos-token': entry.id }
        return request
      },
    },
  ],
})

process.send?.({
  type: 'done',
  result: {
    requests: result.requests.total,
    rps: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]),
    ),
  },
})
process.disconnect?.()
