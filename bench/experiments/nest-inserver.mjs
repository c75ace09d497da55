// Scratch: the Portcullis Nest guard (canActivate) and core inside it, timed in the bench's Nest app under load.
import { JwtAuthGuard } from '@portcullis/nestjs'
import { nestPortcullis } from '../dist/http/servers/nest-apps.js'
import { authPrototype, prepareTokens, timeCalls, warmedLoad } from './http-kit.mjs'

const guard = timeCalls(Object.getPrototypeOf(JwtAuthGuard.prototype), 'canActivate')
const core = timeCalls(await authPrototype(), 'authenticateNow')
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const server = await nestPortcullis(context)
const port = await server.listen()
const load = await warmedLoad(port, tokensFile, count)
for (let r = 0; r < 4; r++) {
  guard.reset()
  core.reset()
  const out = await load.round()
  console.log(
    `guard ${(guard.ns / guard.calls / 1000).toFixed(2)} µs, of which core ${(core.ns / guard.calls / 1000).toFixed(2)} µs; CPU ${out.cpuPerRequest.toFixed(1)} µs/req`,
  )
}
load.close()
await server.close()
await close()
