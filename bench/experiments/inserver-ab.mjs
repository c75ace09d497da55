// Scratch: authenticateNow of two core builds timed inside one served Express app (pinned, under the bench load):
// every request is authenticated by both, the one going first alternating. CORE=path/to/copy/index.js is B;
// A is the current build. MIXED=1 adds the broken and revoked tokens. Prints the medians over ROUNDS (6).
import express from 'express'
import { benchAuth, prepareTokens, warmedLoad } from './http-kit.mjs'

const libs = [await import('@portcullis/core'), await import(process.env.CORE)]
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const auths = []
for (const lib of libs) {
  auths.push(await benchAuth(context, lib))
}
const app = express()
app.set('trust proxy', 'loopback')
const acc = [0, 0],
  n = [0, 0]
let turn = 0
const now = process.hrtime.bigint
app.get('/me', (req, res) => {
  const input = { headers: req.headers, ip: '127.0.0.1', protocol: 'https' }
  turn ^= 1
  const first = turn
  let r
  for (const k of [first, first ^ 1]) {
    const t0 = now()
    try {
      r = auths[k].authenticateNow(input)
    } catch {}
    const t1 = now()
    acc[k] += Number(t1 - t0)
    n[k]++
  }
  if (r instanceof Promise) {
    r.catch(() => {})
    res.status(401).end()
    return
  }
  res.json({ id: r.user.subject })
})
const server = app.listen(0)
await new Promise((r) => server.once('listening', r))
const port = server.address().port
const load = await warmedLoad(port, tokensFile, count)
const a = [],
  b = []
for (let r = 0; r < Number(process.env.ROUNDS ?? 6); r++) {
  acc[0] = acc[1] = n[0] = n[1] = 0
  await load.round()
  a.push(acc[0] / n[0] / 1000)
  b.push(acc[1] / n[1] / 1000)
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1]
console.log(
  `current ${med(a).toFixed(2)} µs  variant ${med(b).toFixed(2)} µs  (rounds: ${a.map((x, i) => `${x.toFixed(2)}/${b[i].toFixed(2)}`).join(' ')})`,
)
load.close()
server.close()
for (const x of auths) await x.close()
await close()
