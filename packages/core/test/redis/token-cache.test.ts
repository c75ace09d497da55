import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { rawClient, redisForTest } from './redis-setup.js'

describe('shared validated-token cache (redis.tokenCache)', () => {
  it('lets another instance accept a token without verifying it, still checking claims and revocation', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const config = { redis: { url: redis.url, tokenCache: true } }
    const a = authFor(issuer, { jwksUri: issuer.jwksUri }, config)
    const token = await issuer.sign({ jti: 'l2-1', sub: 'ada' })
    await a.authenticate(bearer(token))

    // B holds no key that verifies this issuer's tokens: only the shared entry can vouch for the token.
    const unrelated = (await issuerForTest({ algs: ['RS512'] })).key('RS512')
    const b = authFor(issuer, { publicKeys: [unrelated.publicPem] }, config)
    await b.ready()
    await expect(b.authenticate(bearer(token))).resolves.toMatchObject({ user: { subject: 'ada' } })
    expect(await outcome(b.authenticate(bearer(await issuer.sign({ sub: 'never-seen' }))))).toBe(
      'token_signature_invalid',
    )
    await a.revoke.token('l2-1', Math.floor(Date.now() / 1000) + 300)
    expect(await outcome(b.authenticate(bearer(token)))).toBe('token_revoked')
  })

  it('keys entries by SHA-256, never by the token, with a TTL no longer than the token', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { redis: { url: redis.url, tokenCache: true } })
    const token = await issuer.sign({ exp: Math.floor(Date.now() / 1000) + 60 })
    await a.authenticate(bearer(token))
    const raw = rawClient(redis.url)
    const keys = await raw.keys('portcullis:token:*')
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^portcullis:token:[0-9a-f]{64}$/)
    expect(await raw.pttl(keys[0] as string)).toBeLessThanOrEqual(60_000)
    const stored = (await raw.get(keys[0] as string)) as string
    expect(stored).not.toContain(token.split('.')[2] as string)
  })

  it('is off by default: nothing is written', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { redis: { url: redis.url } })
    await a.authenticate(bearer(await issuer.sign()))
    expect(await rawClient(redis.url).keys('portcullis:token:*')).toEqual([])
  })
})
