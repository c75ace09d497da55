import { createAuth, isAuthError } from '@portcullis/core'
import { claimsOf } from '../lib/tokens.js'

/** One side of the propagation measurement: `revoker` revokes on request, `watcher` polls until it is refused. */
export interface PeerMessage {
  type: 'ready' | 'watch' | 'watching' | 'revoke' | 'revoked' | 'seen'
  token?: string
  /** performance.timeOrigin + performance.now(): one clock across processes on this machine. */
  at?: number
}

// argv[2] names the role (revoker or watcher) for anyone reading `ps`; both answer the same messages.
const configText = process.argv[3] as string
const { redisUrl, issuer, jwksUri, audience } = JSON.parse(configText) as Record<string, string>
const auth = createAuth({
  audience,
  issuers: [{ issuer: issuer as string, jwksUri }],
  redis: { url: redisUrl as string },
})
await auth.ready()
const send = (message: PeerMessage) => process.send?.(message)
const now = () => performance.timeOrigin + performance.now()
const deadline = (ms: number) => Date.now() + ms

process.on('message', async (message: PeerMessage) => {
  const token = message.token as string
  if (message.type === 'revoke') {
    const claims = claimsOf(token)
    const at = now()
    await auth.revoke.token(claims.jti as string, claims.exp as number)
    send({ type: 'revoked', at })
  } else if (message.type === 'watch') {
    const input = { headers: { authorization: `Bearer ${token}` } }
    await auth.authenticate(input) // cached in L1 now: only the revocation view can refuse it
    send({ type: 'watching' })
    const until = deadline(5000)
    while (Date.now() < until) {
      try {
        await auth.authenticate(input)
      } catch (error) {
        if (isAuthError(error) && error.code === 'token_revoked') {
          send({ type: 'seen', at: now() })
          return
        }
        throw error
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    send({ type: 'seen', at: -1 }) // never refused within 5 s
  }
})
process.on('disconnect', () => {
  void auth.close().finally(() => process.exit(0))
})
send({ type: 'ready' })
