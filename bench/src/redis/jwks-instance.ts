import type * as Core from '@portcullis/core'

// PORTCULLIS_BENCH_CORE: path of another build of core (e.g. a patched copy from experiments/core-copy.sh),
// to compare fetch counts before and after a change without touching packages/.
const { createAuth } = (await import(process.env.PORTCULLIS_BENCH_CORE ?? '@portcullis/core')) as typeof Core

/** One service instance for the JWKS count: authenticates the token whenever the suite says so. */
export interface InstanceMessage {
  type: 'ready' | 'authenticate'
  error?: string
}

const config = JSON.parse(process.argv[2] as string) as {
  issuer: string
  audience: string
  ttlSec: number
  token: string
  redisUrl?: string
}
const auth = createAuth({
  audience: config.audience,
  issuers: [{ issuer: config.issuer }],
  jwks: { ttlSec: config.ttlSec, cooldownSec: 0 },
  // L1 off: every request goes to the key source, as a cache miss would.
  tokenCache: { enabled: false },
  ...(config.redisUrl && { redis: { url: config.redisUrl } }),
})
const input = { headers: { authorization: `Bearer ${config.token}` } }
process.on('message', async (message: InstanceMessage) => {
  if (message.type !== 'authenticate') return
  try {
    await auth.authenticate(input)
    process.send?.({ type: 'authenticate' })
  } catch (error) {
    process.send?.({ type: 'authenticate', error: (error as Error).message })
  }
})
process.on('disconnect', () => {
  void auth.close().finally(() => process.exit(0))
})
process.send?.({ type: 'ready' })
