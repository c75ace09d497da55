import { describe, expect, it } from 'vitest'
import type { AuthError, AuthInput } from '../../src/index.js'
import { authFor, issuerForTest, outcome } from '../setup.js'
import { redisForTest } from './redis-setup.js'

const from = (ip: string, token: string, headers: Record<string, string> = {}): AuthInput => ({
  ip,
  headers: { authorization: `Bearer ${token}`, ...headers },
})

describe('rate limiting of failed authentication', () => {
  it('answers 429 with Retry-After once a client exceeds its failures, without verifying, then resets', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { rateLimit: { failures: 3, windowSec: 60, blockSec: 1 } })
    const forged = `${(await issuer.sign()).slice(0, -4)}AAAA`
    for (let i = 0; i < 3; i++)
      expect(await outcome(auth.authenticate(from('10.0.0.1', forged)))).toBe('token_signature_invalid')
    // The fourth failure goes over; from then on the client is refused before any parsing.
    expect(await outcome(auth.authenticate(from('10.0.0.1', forged)))).toBe('token_signature_invalid')
    const limited = (await auth
      .authenticate(from('10.0.0.1', await issuer.sign()))
      .catch((e) => e)) as AuthError
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429 })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // Other clients are unaffected.
    expect(await outcome(auth.authenticate(from('10.0.0.2', await issuer.sign())))).toBe('ok')
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await outcome(auth.authenticate(from('10.0.0.1', await issuer.sign())))).toBe('ok')
  })

  it('does not count expired or missing credentials (ordinary traffic)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { rateLimit: { failures: 2, windowSec: 60, blockSec: 60 } })
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600 })
    for (let i = 0; i < 5; i++) {
      expect(await outcome(auth.authenticate(from('10.0.0.3', expired)))).toBe('token_expired')
      expect(await outcome(auth.authenticate({ ip: '10.0.0.3', headers: {} }))).toBe('credentials_missing')
    }
    expect(await outcome(auth.authenticate(from('10.0.0.3', await issuer.sign())))).toBe('ok')
  })

  it('counts per forwarded client only behind a trusted proxy', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { rateLimit: { failures: 1, blockSec: 60 }, trustedProxies: ['192.168.0.0/16'] },
    )
    const bad = 'x.y.z'
    // Two clients behind the trusted proxy are told apart by X-Forwarded-For.
    for (let i = 0; i < 2; i++)
      await outcome(auth.authenticate(from('192.168.1.1', bad, { 'x-forwarded-for': '203.0.113.5' })))
    expect(
      await outcome(
        auth.authenticate(from('192.168.1.1', await issuer.sign(), { 'x-forwarded-for': '203.0.113.5' })),
      ),
    ).toBe('rate_limited')
    expect(
      await outcome(
        auth.authenticate(from('192.168.1.1', await issuer.sign(), { 'x-forwarded-for': '203.0.113.6' })),
      ),
    ).toBe('ok')
    // An untrusted peer cannot dodge its own limit by inventing X-Forwarded-For.
    for (let i = 0; i < 2; i++)
      await outcome(auth.authenticate(from('198.51.100.9', bad, { 'x-forwarded-for': `1.2.3.${i}` })))
    expect(
      await outcome(
        auth.authenticate(from('198.51.100.9', await issuer.sign(), { 'x-forwarded-for': '9.9.9.9' })),
      ),
    ).toBe('rate_limited')
  })

  it('shares failure counts between instances through Redis', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const limits = { rateLimit: { failures: 3, windowSec: 60, blockSec: 60 } }
    const a = authFor(issuer, {}, { redis: { url: redis.url }, ...limits })
    const b = authFor(issuer, {}, { redis: { url: redis.url }, ...limits })
    await Promise.all([a.ready(), b.ready()])
    for (let i = 0; i < 2; i++) await outcome(a.authenticate(from('10.1.1.1', 'bad.to.ken')))
    for (let i = 0; i < 2; i++) await outcome(b.authenticate(from('10.1.1.1', 'bad.to.ken')))
    // Four failures across two instances: over the shared limit of three.
    expect(await outcome(b.authenticate(from('10.1.1.1', await issuer.sign())))).toBe('rate_limited')
  })
})
