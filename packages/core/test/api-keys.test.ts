import { describe, expect, it } from 'vitest'
import { hashApiKey } from '../src/api-keys/api-key-authenticator.js'
import type { AuthInput } from '../src/index.js'
import { rawClient, redisForTest, within } from './redis/redis-setup.js'
import { authFor, bearer, issuerForTest, outcome } from './setup.js'

const PEPPER = 'pepper-for-tests-only-0123456789abcdef'
const key = (id: string, secret: string, extra: Record<string, unknown> = {}) => ({
  id,
  hash: hashApiKey(secret, PEPPER),
  owner: `${id}@owners.example`,
  scopes: ['reports:read'],
  ...extra,
})
const withKey = (value: string, header = 'x-api-key'): AuthInput => ({ headers: { [header]: value } })

describe('plain API keys', () => {
  it('accepts a configured key in x-api-key or Authorization: ApiKey, as a user with its scopes', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { apiKeys: { pepper: PEPPER, keys: [key('k1', 'secret-key-1')] } })
    const any = auth.policy({ mode: 'any' })
    const result = await auth.authenticate(withKey('secret-key-1'), any)
    expect(result.apiKey).toEqual({ id: 'k1', owner: 'k1@owners.example', scopes: ['reports:read'] })
    expect(result.user).toMatchObject({ id: 'k1@owners.example', subject: 'apikey:k1', issuer: 'api-key' })
    await expect(
      auth.authenticate({ headers: { authorization: 'ApiKey secret-key-1' } }, any),
    ).resolves.toBeTruthy()
    expect(await outcome(auth.authenticate(withKey('wrong-key'), any))).toBe('api_key_invalid')
    expect(
      await outcome(auth.authenticate(withKey('secret-key-1'), { mode: 'any', scopes: ['admin'] })),
    ).toBe('insufficient_scope')
    // JWTs still work on the same route; both at once is ambiguous.
    const token = await issuer.sign()
    expect(await outcome(auth.authenticate(bearer(token), any))).toBe('ok')
    expect(
      await outcome(
        auth.authenticate(
          { headers: { authorization: `Bearer ${token}`, 'x-api-key': 'secret-key-1' } },
          any,
        ),
      ),
    ).toBe('invalid_request')
  })

  it('restricts a route to API keys with accept, and refuses expired and revoked keys', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      {
        apiKeys: {
          pepper: PEPPER,
          keys: [key('live', 'live-key'), key('old', 'old-key', { expiresAt: '2020-01-01T00:00:00Z' })],
        },
      },
    )
    const keysOnly = auth.policy({ mode: 'any', accept: ['apiKey'] })
    expect(await outcome(auth.authenticate(bearer(await issuer.sign()), keysOnly))).toBe(
      'credentials_missing',
    )
    expect(await outcome(auth.authenticate(withKey('old-key'), keysOnly))).toBe('api_key_invalid')
    expect(await outcome(auth.authenticate(withKey('live-key'), keysOnly))).toBe('ok')
    await auth.revoke.apiKey('live')
    expect(await outcome(auth.authenticate(withKey('live-key'), keysOnly))).toBe('api_key_revoked')
    await auth.revoke.undoApiKey('live')
    expect(await outcome(auth.authenticate(withKey('live-key'), keysOnly))).toBe('ok')
    expect(() => auth.policy({ mode: 'jwt', accept: ['apiKey'] })).toThrow(/accept only narrows/)
  })

  it('finds keys issued at run time in Redis (hash only), revokes them everywhere, and rate-limits guessing', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = { apiKeys: { pepper: PEPPER }, redis: { url: redis.url }, rateLimit: { failures: 3 } }
    const a = authFor(issuer, {}, config)
    const b = authFor(issuer, {}, config)
    await Promise.all([a.ready(), b.ready()])
    const record = key('runtime', 'runtime-key')
    await rawClient(redis.url).set(`portcullis:apikey:${record.hash}`, JSON.stringify(record))
    const any = { mode: 'any' as const }
    expect(await outcome(b.authenticate(withKey('runtime-key'), any))).toBe('ok')
    await a.revoke.apiKey('runtime')
    await within(
      100,
      async () => (await outcome(b.authenticate(withKey('runtime-key'), any))) === 'api_key_revoked',
    )
    const guess = (n: number): AuthInput => ({ ip: '203.0.113.50', headers: { 'x-api-key': `guess-${n}` } })
    for (let i = 0; i < 4; i++) expect(await outcome(a.authenticate(guess(i), any))).toBe('api_key_invalid')
    expect(await outcome(a.authenticate(guess(99), any))).toBe('rate_limited')
    expect(JSON.stringify(await rawClient(redis.url).keys('*'))).not.toContain('runtime-key')
  })

  it('refuses keys stored in clear and a short pepper at start-up', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    expect(() => authFor(issuer, {}, { apiKeys: { pepper: 'short' } })).toThrow(/apiKeys\.pepper/)
    expect(() =>
      authFor(
        issuer,
        {},
        { apiKeys: { pepper: PEPPER, keys: [{ id: 'x', hash: 'my-plain-key', owner: 'o' }] } },
      ),
    ).toThrow(/apiKeys\.keys\[0\]\.hash/)
  })
})
