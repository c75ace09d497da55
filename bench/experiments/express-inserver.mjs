// Scratch: core's authenticateNow timed inside the bench's Express + Portcullis app under load (WARM seconds of
// load first: with MIXED=1 the clients sending bad tokens get blocked after ≈ 30 s, and from then on core works
// out every request's client address).
import { createAuth } from '@portcullis/core'
import { expressPortcullis } from '../dist/http/servers/express-apps.js'
import { prepareTokens, warmedLoad } from './http-kit.mjs'

const now = process.hrtime.bigint
let coreNs = 0
let calls = 0
const probe = createAuth({
  audience: 'https://probe.test',
  issuers: [{ issuer: 'https://probe.test', jwksUri: 'https://probe.test/jwks' }],
})
const prototype = Object.getPrototypeOf(probe)
await probe.close()
const original = prototype.authenticateNow
prototype.authenticateNow = function (input, policy) {
  const t0 = now()
  const result = original.call(this, input, policy)
  coreNs += Number(now() - t0)
  calls++
  return result
}
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const server = await expressPortcullis(context)
const port = await server.listen()
const load = await warmedLoad(port, tokensFile, count)
for (let round = 0; round < 4; round++) {
  coreNs = 0
  calls = 0
  const out = await load.round()
  console.log(
    `core ${(coreNs / calls / 1000).toFixed(2)} µs; CPU ${out.cpuPerRequest.toFixed(1)} µs/req, non-2xx ${out.non2xx} of ${out.requests}`,
  )
}
load.close()
await server.close()
await close()
