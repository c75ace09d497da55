import { createHash } from 'node:crypto'
import type { TestIssuer } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/index.js'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { rawClient, redisForTest } from './redis-setup.js'

const mercuryLayout = (url: string) => ({ url, tokenCache: { layout: 'mercury' as const } })

/** Mercury's key for a token: the first 32 hex characters of its SHA-256. */
function mercuryKey(token: string): string {
  return `validated_token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'))
}

/** An instance holding no key that verifies `issuer`'s tokens: only a shared entry can vouch for one. */
async function blindInstance(issuer: TestIssuer, redisUrl: string, config: Record<string, unknown> = {}) {
  const unrelated = (await issuerForTest({ algs: ['RS512'] })).key('RS512')
  const auth = authFor(
    issuer,
    { publicKeys: [unrelated.publicPem] },
    { redis: mercuryLayout(redisUrl), ...config },
  )
  await auth.ready()
  return auth
}

describe("shared validated-token cache in Mercury's layout (redis.tokenCache.layout: 'mercury')", () => {
  it('serves a token cached by one instance to another, under validated_token:{first 32 hex of sha256}', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const a = authFor(issuer, { jwksUri: issuer.jwksUri }, { redis: mercuryLayout(redis.url) })
    const token = await issuer.sign({ jti: 'm-1', sub: 'ada' }, { expiresIn: 60 })
    await a.authenticate(bearer(token))

    const raw = rawClient(redis.url)
    const full = createHash('sha256').update(token).digest('hex')
    expect(await raw.keys('*validated_token:*')).toEqual([`validated_token:${full.slice(0, 32)}`])
    expect(await raw.keys('portcullis:token:*')).toEqual([])
    expect(await raw.pttl(mercuryKey(token))).toBeLessThanOrEqual(60_000)
    // The value is the verified claims object, as Mercury is assumed to store it.
    expect(JSON.parse((await raw.get(mercuryKey(token))) as string)).toEqual(payloadOf(token))

    const b = await blindInstance(issuer, redis.url)
    await expect(b.authenticate(bearer(token))).resolves.toMatchObject({ user: { subject: 'ada' } })
    expect(await outcome(b.authenticate(bearer(await issuer.sign({ sub: 'never-seen' }))))).toBe(
      'token_signature_invalid',
    )
  })

  it("honours bare claims written by a plain SET on another connection, in Mercury's format", async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const b = await blindInstance(issuer, redis.url)
    const token = await issuer.sign({ sub: 'grace', scope: 'orders:read' })
    expect(await outcome(b.authenticate(bearer(token)))).toBe('token_signature_invalid')

    await rawClient(redis.url).set(mercuryKey(token), JSON.stringify(payloadOf(token)), 'EX', 300)
    await expect(b.authenticate(bearer(token), { scopes: ['orders:read'] })).resolves.toMatchObject({
      user: { subject: 'grace' },
    })
    // Our own { header, claims } envelope under the same key is read too.
    const other = await issuer.sign({ sub: 'lin' })
    const header = JSON.parse(Buffer.from(other.split('.')[0] as string, 'base64url').toString('utf8'))
    await rawClient(redis.url).set(mercuryKey(other), JSON.stringify({ header, claims: payloadOf(other) }))
    await expect(b.authenticate(bearer(other))).resolves.toMatchObject({ user: { subject: 'lin' } })
  })

  it('treats an entry for an expired token as a miss and verifies afresh', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const raw = rawClient(redis.url)
    const now = Math.floor(Date.now() / 1000)
    const expired = await issuer.sign({ sub: 'old', iat: now - 600, exp: now - 120 })
    await raw.set(mercuryKey(expired), JSON.stringify(payloadOf(expired)), 'EX', 300)

    // Only a fresh verification can answer: the blind instance fails on the signature, a keyed one on exp.
    expect(await outcome((await blindInstance(issuer, redis.url)).authenticate(bearer(expired)))).toBe(
      'token_signature_invalid',
    )
    const keyed = authFor(issuer, { jwksUri: issuer.jwksUri }, { redis: mercuryLayout(redis.url) })
    expect(await outcome(keyed.authenticate(bearer(expired)))).toBe('token_expired')

    // An entry claiming a different exp than the token's own is not believed either: the fresh
    // verification accepts the live token and files its real claims.
    const live = await issuer.sign({ sub: 'new' })
    await raw.set(mercuryKey(live), JSON.stringify({ ...payloadOf(live), exp: now - 120 }), 'EX', 300)
    await expect(keyed.authenticate(bearer(live))).resolves.toMatchObject({ user: { subject: 'new' } })
    expect(JSON.parse((await raw.get(mercuryKey(live))) as string)).toEqual(payloadOf(live))
  })

  it('treats an entry from an issuer that is not configured as a miss', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const stranger = await issuerForTest({ algs: ['RS512'] })
    const b = await blindInstance(issuer, redis.url)
    const token = await stranger.sign({ sub: 'mallory' })
    await rawClient(redis.url).set(mercuryKey(token), JSON.stringify(payloadOf(token)), 'EX', 300)
    expect(await outcome(b.authenticate(bearer(token)))).toBe('token_issuer_unknown')
  })

  it('treats unparsable or unexpected values as a miss, never an acceptance', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const b = await blindInstance(issuer, redis.url)
    const raw = rawClient(redis.url)
    // Each value is filed under the key of its own fresh token; the blind instance can only refuse it.
    const garbage: ((claims: Record<string, unknown>) => string)[] = [
      () => 'not json',
      () => '',
      () => 'null',
      () => '[]',
      () => '"valid"',
      () => 'true',
      () => '{}',
      (claims) => JSON.stringify({ valid: true, user_id: claims.sub }),
      (claims) => JSON.stringify({ claims }),
      (claims) => JSON.stringify([claims]),
      (claims) => JSON.stringify({ ...claims, sub: 'someone-else' }),
      (claims) => JSON.stringify({ ...claims, iss: undefined }),
    ]
    for (const [index, make] of garbage.entries()) {
      const token = await issuer.sign({ sub: `user-${index}` })
      const value = make(payloadOf(token))
      await raw.set(mercuryKey(token), value, 'EX', 300)
      expect({ value, result: await outcome(b.authenticate(bearer(token))) }).toEqual({
        value,
        result: 'token_signature_invalid',
      })
    }
  })

  it('rejects a revoked token even with a cached entry', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const b = await blindInstance(issuer, redis.url, { revocation: { mercuryRevokedTokens: true } })
    const token = await issuer.sign({ jti: 'm-revoked', sub: 'eve' })
    const raw = rawClient(redis.url)
    await raw.set(mercuryKey(token), JSON.stringify(payloadOf(token)), 'EX', 300)
    expect(await outcome(b.authenticate(bearer(token)))).toBe('ok')
    await b.revoke.token('m-revoked', Math.floor(Date.now() / 1000) + 300)
    expect(await outcome(b.authenticate(bearer(token)))).toBe('token_revoked')

    // Revoked by Mercury itself (plain SETs) before this instance started: never in its L1.
    const second = await issuer.sign({ jti: 'm-revoked-2', sub: 'eve' })
    await raw.set(mercuryKey(second), JSON.stringify(payloadOf(second)), 'EX', 300)
    await raw.set('revoked_token:m-revoked-2', '1', 'EX', 300)
    const fresh = await blindInstance(issuer, redis.url, { revocation: { mercuryRevokedTokens: true } })
    expect(await outcome(fresh.authenticate(bearer(second)))).toBe('token_revoked')
  })

  it('is configured as redis.tokenCache.layout (also from the environment); true keeps the Portcullis layout', async () => {
    const env = { PORTCULLIS_ISSUER: 'https://id.example.com', PORTCULLIS_AUDIENCE: 'api' }
    const fromEnv = await loadConfig({
      path: undefined,
      env: { ...env, REDIS_URL: 'redis://127.0.0.1:6379', PORTCULLIS_REDIS__TOKEN_CACHE__LAYOUT: 'mercury' },
    })
    expect(fromEnv.redis?.tokenCache).toEqual({ enabled: true, layout: 'mercury' })
    const legacy = await loadConfig({
      path: undefined,
      env: { ...env, REDIS_URL: 'redis://127.0.0.1:6379', PORTCULLIS_REDIS__TOKEN_CACHE: 'true' },
    })
    expect(legacy.redis?.tokenCache).toBe(true)
    await expect(
      loadConfig({
        path: undefined,
        env: {
          ...env,
          REDIS_URL: 'redis://127.0.0.1:6379',
          PORTCULLIS_REDIS__TOKEN_CACHE__LAYOUT: 'memcached',
        },
      }),
    ).rejects.toThrow(/redis\.tokenCache/)
  })
})
