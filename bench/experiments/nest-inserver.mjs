// Scratch: the Portcullis Nest guard (canActivate) and core inside it, timed in the bench's Nest app under load.

import { JwtAuthGuard } from '@portcullis/nestjs'
import { nestPortcullis } from '../dist/http/servers/nest-apps.js'
import { prepareTokens, warmedLoad } from './http-kit.mjs'

const now = process.hrtime.bigint
let guardNs = 0,
  coreNs = 0,
  n = 0
const proto = Object.getPrototypeOf(JwtAuthGuard.prototype)
const orig = proto.canActivate
proto.canActivate = function (ctx) {
  if (!this.auth.__timed) {
    const a = this.auth,
      inner = a.authenticateNow.bind(a)
    a.authenticateNow = (i, p) => {
      const t0 = now()
      const r = inner(i, p)
      coreNs += Number(now() - t0)
      return r
    }
    a.__timed = true
  }
  const t0 = now()
  const r = orig.call(this, ctx)
  guardNs += Number(now() - t0)
  n++
  return r
}
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const server = await nestPortcullis(context)
const port = await server.listen()
const load = await warmedLoad(port, tokensFile, count)
for (let r = 0; r < 4; r++) {
  guardNs = coreNs = n = 0
  const out = await load.round()
  console.log(
    `guard ${(guardNs / n / 1000).toFixed(2)} µs, of which core ${(coreNs / n / 1000).toFixed(2)} µs; CPU ${out.cpuPerRequest.toFixed(1)} µs/req`,
  )
}
load.close()
await server.close()
await close()
