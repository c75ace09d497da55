import { describe, expect, it } from 'vitest'
import type { Auth, Claims } from '../src/index.js'
import { rawClient, redisForTest, within } from './redis/redis-setup.js'
import { authFor, bearer, issuerForTest, outcome, rejectionCode } from './setup.js'

// An L1 hit remembers that its token passed the revocation lookups, and skips them while the revocation state
// has not changed since (core `revocationStamp`). These pin both halves: the lookups really are skipped, and any
// change — in process, from another instance, from a resync — is honoured on the very next request.

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s
const noLimit = { rateLimit: { enabled: false } } as const

/**
 * Authenticates `token` three times (a miss, a hit that checks and remembers, a hit that reuses), and counts
 * from then on every read of its cached claims' `jti`, which only the revocation lookups make.
 */
async function remembered(auth: Auth, token: string): Promise<{ reads: () => number }> {
  const { claims } = await auth.authenticate(bearer(token))
  await auth.authenticate(bearer(token))
  await auth.authenticate(bearer(token))
  let reads = 0
  const jti = (claims as Claims).jti
  Object.defineProperty(claims, 'jti', {
    configurable: true,
    enumerable: true,
    get: () => {
      reads++
      return jti
    },
  })
  return { reads: () => reads }
}

describe('L1 hits and revocation', () => {
  it('skips the lookups while nothing was revoked, and does them once again after any revocation', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ jti: 'kept-1', sub: 'ada' })
    const { reads } = await remembered(auth, token)

    await auth.authenticate(bearer(token))
    await auth.authenticate(bearer(token))
    expect(reads()).toBe(0)

    await auth.revoke.token('someone-else', inSeconds(300))
    await auth.authenticate(bearer(token))
    await auth.authenticate(bearer(token))
    expect(reads()).toBe(1)
  })

  it('refuses a token revoked after its verdict was remembered, by jti and by subject', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const byJti = await issuer.sign({ jti: 'kept-2', sub: 'bob' })
    const bySubject = await issuer.sign({ jti: 'kept-3', sub: 'eve', iat: inSeconds(-10) })
    await remembered(auth, byJti)
    await remembered(auth, bySubject)

    await auth.revoke.token('kept-2', inSeconds(300))
    await auth.revoke.subject('eve')

    expect(await rejectionCode(auth.authenticate(bearer(byJti)))).toBe('token_revoked')
    expect(await rejectionCode(auth.authenticate(bearer(bySubject)))).toBe('token_revoked')
  })

  it('accepts again a token whose revocation was undone', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ jti: 'undone-1' })
    await remembered(auth, token)
    await auth.revoke.token('undone-1', inSeconds(300))
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_revoked')

    await auth.revoke.undoToken('undone-1')

    expect(await outcome(auth.authenticate(bearer(token)))).toBe('ok')
  })
})

describe('L1 hits and revocation, with Redis', () => {
  it('refuses on B a token B had remembered as unrevoked, once A revokes it', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    const b = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    await Promise.all([a.ready(), b.ready()])
    const token = await issuer.sign({ jti: 'across-1' })
    await remembered(b, token)

    await a.revoke.token('across-1', inSeconds(300))

    await within(250, async () => (await outcome(b.authenticate(bearer(token)))) === 'token_revoked')
  })

  it('refuses a remembered token revoked only through a resync (no message, no notification)', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url, keyspaceEvents: 'off' } })
    await auth.ready()
    const token = await issuer.sign({ jti: 'silent-1' })
    await remembered(auth, token)
    const raw = rawClient(redis.url)

    // Written behind the instance's back, then a full resync asked for: the new view replaces the old one.
    await raw.set('portcullis:revoked:jti:silent-1', '1', 'PXAT', Date.now() + 60_000)
    await raw.incr('portcullis:revocations:version')
    await raw.publish('portcullis:revocations', 'resync:all')

    await within(1000, async () => (await outcome(auth.authenticate(bearer(token)))) === 'token_revoked')
  })

  it('asks Redis on every request in strict consistency, remembered or not', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      {
        ...noLimit,
        redis: { url: redis.url, keyspaceEvents: 'off' },
        revocation: { consistency: 'strict' },
      },
    )
    await auth.ready()
    const token = await issuer.sign({ jti: 'strict-2' })
    await remembered(auth, token)

    await rawClient(redis.url).set('portcullis:revoked:jti:strict-2', '1', 'EX', 60)

    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_revoked')
  })
})
