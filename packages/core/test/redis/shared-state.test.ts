import { describe, expect, it } from 'vitest'
import type { AuthEvent } from '../../src/index.js'
import { authFor, bearer, issuerForTest, outcome, rejectionCode } from '../setup.js'
import { rawClient, redisForTest, within } from './redis-setup.js'

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s

describe('two instances sharing one Redis', () => {
  it('a token revoked on A is rejected on B within 100 ms, even from B’s L1 cache', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { redis: { url: redis.url } })
    const b = authFor(issuer, {}, { redis: { url: redis.url } })
    await Promise.all([a.ready(), b.ready()])
    const token = await issuer.sign({ jti: 'shared-1', sub: 'ada' })
    await b.authenticate(bearer(token))

    await a.revoke.token('shared-1', inSeconds(300))
    const took = await within(
      100,
      async () => (await outcome(b.authenticate(bearer(token)))) === 'token_revoked',
    )
    expect(took).toBeLessThan(100)
    // Undo travels the same way.
    await a.revoke.undoToken('shared-1')
    await within(100, async () =>
      b.authenticate(bearer(token)).then(
        () => true,
        () => false,
      ),
    )
  })

  it('revokes by subject across instances, sparing tokens issued after the cut-off', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { redis: { url: redis.url } })
    const b = authFor(issuer, {}, { redis: { url: redis.url } })
    await Promise.all([a.ready(), b.ready()])
    const old = await issuer.sign({ sub: 'bob', iat: inSeconds(-60) })
    await a.revoke.subject('bob', new Date(Date.now() - 30_000))
    await within(100, async () => (await outcome(b.authenticate(bearer(old)))) === 'token_revoked')
    await expect(b.authenticate(bearer(await issuer.sign({ sub: 'bob' })))).resolves.toBeTruthy()
  })

  it('stores revocations with TTLs that end with the tokens they cover', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { redis: { url: redis.url }, revocation: { subjectRetentionSec: 3600 } })
    await auth.ready()
    await auth.revoke.token('ttl-1', inSeconds(120))
    await auth.revoke.subject('carol')
    const raw = rawClient(redis.url)
    const jtiTtl = await raw.pttl('portcullis:revoked:jti:ttl-1')
    expect(jtiTtl).toBeGreaterThan(110_000)
    expect(jtiTtl).toBeLessThanOrEqual(120_000)
    const subTtl = await raw.pttl('portcullis:revoked:sub:carol')
    expect(subTtl).toBeGreaterThan(3_590_000)
    // A revocation for an already-expired token writes nothing.
    await auth.revoke.token('ttl-2', inSeconds(-5))
    expect(await raw.exists('portcullis:revoked:jti:ttl-2')).toBe(0)
  })

  it('applies a revocation written with redis-cli (SET + PUBLISH, documented format) within 100 ms', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { redis: { url: redis.url, keyspaceEvents: 'off' } })
    await auth.ready()
    const token = await issuer.sign({ jti: 'cli-1' })
    await auth.authenticate(bearer(token))
    const raw = rawClient(redis.url)
    await raw.set('portcullis:revoked:jti:cli-1', '1', 'PXAT', Date.now() + 60_000)
    await raw.publish('portcullis:revocations', 'jti:cli-1')
    await within(100, async () => (await outcome(auth.authenticate(bearer(token)))) === 'token_revoked')
  })

  it('applies a bare SET (no PUBLISH) within 100 ms through keyspace notifications it enables itself', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { redis: { url: redis.url } })
    await auth.ready()
    const token = await issuer.sign({ jti: 'bare-1' })
    await auth.authenticate(bearer(token))
    await rawClient(redis.url).set('portcullis:revoked:jti:bare-1', '1', 'EX', 60)
    await within(100, async () => (await outcome(auth.authenticate(bearer(token)))) === 'token_revoked')
  })

  it('checks Redis on every request in strict consistency mode', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { redis: { url: redis.url, keyspaceEvents: 'off' }, revocation: { consistency: 'strict' } },
    )
    await auth.ready()
    const token = await issuer.sign({ jti: 'strict-1' })
    await auth.authenticate(bearer(token))
    // No PUBLISH, no notifications: only a per-request read can see this at once.
    await rawClient(redis.url).set('portcullis:revoked:jti:strict-1', '1', 'EX', 60)
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_revoked')
  })

  it('fetches a JWKS once for several instances starting together', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const instances = [0, 1, 2, 3].map(() =>
      authFor(issuer, { jwksUri: issuer.jwksUri }, { redis: { url: redis.url } }),
    )
    await Promise.all(instances.map((auth) => auth.ready()))
    issuer.resetCounts()
    const fresh = [0, 1, 2, 3].map(() =>
      authFor(issuer, { jwksUri: issuer.jwksUri }, { redis: { url: redis.url } }),
    )
    // Each newcomer first syncs its revocation view (on a busy machine that can outlast the first request's wait).
    await Promise.all(fresh.map((auth) => auth.ready()))
    const token = await issuer.sign()
    await Promise.all(fresh.map((auth) => auth.authenticate(bearer(token))))
    // The first group fetched once and shared it; the second group found it in Redis and fetched nothing.
    expect(issuer.counts.jwks).toBe(0)
  })

  it('shares one fetch among cold instances: a lock lets one fetch while the others wait for its result', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    issuer.slowMs = 200
    issuer.setMode('slow')
    const instances = [0, 1, 2, 3, 4].map(() =>
      authFor(issuer, { jwksUri: issuer.jwksUri }, { redis: { url: redis.url } }),
    )
    const token = await issuer.sign()
    await Promise.all(instances.map((auth) => auth.authenticate(bearer(token))))
    expect(issuer.counts.jwks).toBe(1)
  })

  it('reports Redis state and cache events, never token material', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const events: AuthEvent[] = []
    const { createAuth } = await import('../../src/index.js')
    const auth = createAuth(
      { audience: 'https://api.test', issuers: [{ issuer: issuer.url }], redis: { url: redis.url } },
      { onEvent: (event) => events.push(event) },
    )
    await auth.ready()
    const token = await issuer.sign()
    await auth.authenticate(bearer(token))
    await auth.close()
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['redis.state', 'jwks.fetch', 'cache.miss', 'auth.success']),
    )
    expect(JSON.stringify(events)).not.toContain(token.split('.')[1] as string)
  })
})
