// Scratch: the marginal cost of the Express guard, with the process held equal. One Express app (pinned to the
// server CPU, under the bench's load from the pinned load generator) serves GET /me through `jwtAuth()` and
// GET /bare without it, with the same handler shape; 2 s windows alternate between the two routes, and each
// gives this process's CPU µs per request. Both routes share one heap, one L1, one GC state: what differs is
// only what a guarded request does more. Set against the HTTP suite's bare-vs-Portcullis CPU difference
// (two processes), the rest is what the Portcullis process pays as a whole.
//   node same-process-ab.mjs [ROUNDS=8]   (MIXED=1 adds the broken and revoked tokens)
// ROUTES=/me,/bare,/layer,/weakmap,/unread picks the routes (default /me,/bare): see the app below.
import { portcullis } from '@portcullis/express'
import { pinToCpu, SERVER_CPU } from '../dist/lib/cpu-pinning.js'
import { benchAuth, benchExpressApp, loadSpec, pinnedLoadGenerator, prepareTokens } from './http-kit.mjs'

const rounds = Number(process.argv[2] ?? 8)
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const auth = await benchAuth(context)
const { jwtAuth } = portcullis(auth)
const app = await benchExpressApp()
app.get('/me', jwtAuth(), (req, res) => res.json({ id: req.auth?.user?.subject }))
app.get('/bare', (_req, res) => res.json({ id: 'anonymous' }))
// Pieces of the guarded route on their own: a second layer that does nothing; one that keeps a record per request
// in a WeakMap (as core does for req.auth); the guard with a handler that does not read req.auth.
const kept = new WeakMap()
app.get(
  '/layer',
  (_req, _res, next) => next(),
  (_req, res) => res.json({ id: 'anonymous' }),
)
app.get(
  '/weakmap',
  (req, _res, next) => {
    kept.set(req, { auth: req, by: app })
    next()
  },
  (_req, res) => res.json({ id: 'anonymous' }),
)
app.get('/unread', jwtAuth(), (_req, res) => res.json({ id: 'anonymous' }))
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const port = server.address().port
pinToCpu(process.pid, SERVER_CPU)
const loadgen = pinnedLoadGenerator()
const spec = (path, seconds) => ({
  ...loadSpec(port, false, tokensFile, seconds),
  url: `http://127.0.0.1:${port}${path}`,
})
await loadgen.run({ ...spec('/me', 300), amount: count })
await loadgen.run(spec('/me', 2))
for (const path of (process.env.ROUTES ?? '/bare').split(',')) await loadgen.run(spec(path, 1))
const paths = (process.env.ROUTES ?? '/me,/bare').split(',')
const cpu = Object.fromEntries(paths.map((path) => [path, []]))
for (let r = 0; r < rounds; r++) {
  for (const path of r % 2 ? [...paths].reverse() : paths) {
    await loadgen.run(spec(path, 0.5))
    const before = process.cpuUsage()
    const out = await loadgen.run(spec(path, 2))
    const used = process.cpuUsage(before)
    cpu[path].push((used.user + used.system) / out.requests)
  }
  console.log(
    `round ${r + 1}: ${paths.map((path) => `${path} ${cpu[path][r].toFixed(1)}`).join(', ')} µs/req`,
  )
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const over = (path) => median(cpu[path].map((v, i) => v - cpu['/bare'][i]))
console.log(
  `medians: ${paths.map((path) => `${path} ${median(cpu[path]).toFixed(1)}${path === '/bare' ? '' : ` (${over(path) >= 0 ? '+' : ''}${over(path).toFixed(1)} over /bare, same round)`}`).join(', ')} µs/req`,
)
loadgen.close()
server.close()
await auth.close()
await close()
