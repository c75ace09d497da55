// Scratch: core's authenticateNow timed inside the bench's Express + Portcullis app under load (WARM seconds of
// load first: with MIXED=1 the clients sending bad tokens get blocked after ≈ 30 s, and from then on core works
// out every request's client address).
import { expressPortcullis } from '../dist/http/servers/express-apps.js'
import { authPrototype, prepareTokens, timeCalls, warmedLoad } from './http-kit.mjs'

const core = timeCalls(await authPrototype(), 'authenticateNow')
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const server = await expressPortcullis(context)
const port = await server.listen()
const load = await warmedLoad(port, tokensFile, count)
for (let round = 0; round < 4; round++) {
  core.reset()
  const out = await load.round()
  console.log(
    `core ${(core.ns / core.calls / 1000).toFixed(2)} µs; CPU ${out.cpuPerRequest.toFixed(1)} µs/req, non-2xx ${out.non2xx} of ${out.requests}`,
  )
}
load.close()
await server.close()
await close()
