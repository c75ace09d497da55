// Scratch: where the Express guard's time goes inside a served request, under the bench's load. A copy of the
// built @portcullis/express (bench/.results/exp/express-timed; packages/ is never modified) is patched with
// timers around its steps: the auth input, core's authenticateNow, keeping the request's record (an object and
// a WeakMap entry) and showing it as req.auth; the whole guard is timed up to its call of next(). MIXED=1 adds
// the broken and revoked tokens.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { benchAuth, benchExpressApp, prepareTokens, warmedLoad } from './http-kit.mjs'

const here = new URL('.', import.meta.url).pathname
const built = join(here, '../../packages/express')
const copy = join(here, '../.results/exp/express-timed')
mkdirSync(join(copy, 'dist'), { recursive: true })
try {
  symlinkSync(join(built, 'node_modules'), join(copy, 'node_modules'))
} catch {}
writeFileSync(join(copy, 'package.json'), readFileSync(join(built, 'package.json')))
writeFileSync(join(copy, 'dist/index.js'), patch(readFileSync(join(built, 'dist/index.js'), 'utf8')))
const { portcullis } = await import(join(copy, 'dist/index.js'))

const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const auth = await benchAuth(context)
const guard = portcullis(auth).jwtAuth()
const whole = { ns: 0, n: 0 }
const app = await benchExpressApp()
app.get(
  '/me',
  (req, res, next) => {
    const started = process.hrtime.bigint()
    guard(req, res, () => {
      whole.ns += Number(process.hrtime.bigint() - started)
      whole.n++
      next()
    })
  },
  (req, res) => res.json({ id: req.auth?.user?.subject }),
)
const server = createServer(app)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const load = await warmedLoad(server.address().port, tokensFile, count)
const parts = globalThis.__guardParts
for (let round = 0; round < 4; round++) {
  for (const key of Object.keys(parts)) parts[key] = 0
  Object.assign(whole, { ns: 0, n: 0 })
  const out = await load.round()
  const µs = (ns, n) => (ns / n / 1000).toFixed(2)
  console.log(
    `guard ${µs(whole.ns, whole.n)} µs: input ${µs(parts.input, parts.n)}, core ${µs(parts.core, parts.n)}, ` +
      `keep ${µs(parts.keep, parts.n)}, show ${µs(parts.show, parts.n)}; CPU ${out.cpuPerRequest.toFixed(1)} µs/req`,
  )
}
load.close()
server.closeAllConnections()
server.close()
await auth.close()
await close()

/** Timers into guardRequest and admit of the built bundle; fails loudly when the code they wrap has moved on. */
function patch(source) {
  const steps = [
    [
      `function guardRequest(auth, policy, errors, req, res, next, proceed) {
  const outcome = auth.authenticateNow(toAuthInput(req), policy);`,
      `const T = (globalThis.__guardParts = { input: 0, core: 0, keep: 0, show: 0, n: 0 });
function guardRequest(auth, policy, errors, req, res, next, proceed) {
  const t0 = process.hrtime.bigint();
  const input = toAuthInput(req);
  const t1 = process.hrtime.bigint();
  const outcome = auth.authenticateNow(input, policy);
  T.input += Number(t1 - t0); T.core += Number(process.hrtime.bigint() - t1); T.n++;`,
    ],
    [
      `  const record = { auth: result, by: auth };
  keepRequestAuthRecord(req, record);
  showAuth(req, record);`,
      `  const t0 = process.hrtime.bigint();
  const record = { auth: result, by: auth };
  keepRequestAuthRecord(req, record);
  const t1 = process.hrtime.bigint();
  showAuth(req, record);
  T.keep += Number(t1 - t0); T.show += Number(process.hrtime.bigint() - t1);`,
    ],
  ]
  for (const [from, to] of steps) {
    if (!source.includes(from))
      throw new Error(`express-guard-parts: the built guard changed; update the patch`)
    source = source.replace(from, to)
  }
  return source
}
