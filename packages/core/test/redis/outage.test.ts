import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { redisForTest, within } from './redis-setup.js'

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s

describe('Redis outage', () => {
  it('serves within the staleness bound, then follows the failure policy, then recovers with nothing lost', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    // A bound generous enough that a stalled CI worker does not cross it between the kill and the first check.
    const redisConfig = { url: redis.url, maxStaleMs: 1500 }
    const a = authFor(issuer, {}, { redis: redisConfig })
    const closed = authFor(issuer, {}, { redis: redisConfig })
    const open = authFor(issuer, {}, { redis: { ...redisConfig, onRedisDown: 'open' } })
    await Promise.all([a.ready(), closed.ready(), open.ready()])
    const token = await issuer.sign({ jti: 'during-outage', sub: 'ada' })
    const other = await issuer.sign({ jti: 'innocent', sub: 'bob' })
    for (const auth of [a, closed, open]) await auth.authenticate(bearer(token))

    await redis.kill()
    // Still within maxStaleMs: answered from memory, no error, no hang.
    expect(await outcome(closed.authenticate(bearer(other)))).toBe('ok')
    // A revocation made while Redis is down applies at once locally and is queued for the others.
    await a.revoke.token('during-outage', inSeconds(300))
    expect(await outcome(a.authenticate(bearer(token)))).toBe('token_revoked')

    await new Promise((resolve) => setTimeout(resolve, 1700))
    const down = await closed.authenticate(bearer(other)).catch((e) => e)
    expect(down).toMatchObject({ code: 'auth_unavailable', status: 503 })
    expect(await outcome(open.authenticate(bearer(other)))).toBe('ok')

    await redis.start()
    // Back within a couple of seconds: the queued revocation reached Redis and the other instances.
    await within(4000, async () => (await outcome(closed.authenticate(bearer(token)))) === 'token_revoked')
    await within(1000, async () => (await outcome(open.authenticate(bearer(token)))) === 'token_revoked')
    // Live again once a resync that ran wholly on the new connection has rebuilt its view.
    await within(1000, async () => (await outcome(closed.authenticate(bearer(other)))) === 'ok')
  })

  it('is live once ready() resolves even when Redis answered its first commands too late', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const admin = new Redis(redis.url)
    try {
      // Every command waits 1.5 s, past the 1 s command timeout: the first subscription times out, as on a busy
      // CI machine. ready() must not resolve on an instance that is not live (it would refuse every request).
      await admin.client('PAUSE', 1500, 'ALL')
      const auth = authFor(issuer, {}, { redis: { url: redis.url } })
      await auth.ready()
      expect(await outcome(auth.authenticate(bearer(await issuer.sign())))).toBe('ok')
    } finally {
      admin.disconnect()
    }
  })

  it('fails closed from the start when Redis is unreachable at boot, and open when configured so', async () => {
    const redis = await redisForTest()
    await redis.kill()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const closed = authFor(issuer, {}, { redis: { url: redis.url } })
    const open = authFor(issuer, {}, { redis: { url: redis.url, onRedisDown: 'open' } })
    const token = await issuer.sign()
    expect(await outcome(closed.authenticate(bearer(token)))).toBe('auth_unavailable')
    expect(await outcome(open.authenticate(bearer(token)))).toBe('ok')
    await redis.start()
    await within(4000, async () => (await outcome(closed.authenticate(bearer(token)))) === 'ok')
  })

  it('does not forget revocations when Redis restarts empty: instances write back what they knew', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { redis: { url: redis.url, maxStaleMs: 60_000 } })
    await a.ready()
    const token = await issuer.sign({ jti: 'keep-me' })
    await a.revoke.token('keep-me', inSeconds(300))
    // Right after start-up, resyncs queued by the connections' first 'ready' may still be running: one of them
    // straddling the restart (version read before, scan after) must not replace the view with an empty one.
    await redis.kill()
    await redis.start()
    // A newcomer after the restart learns the revocation from what `a` wrote back.
    await within(10_000, async () => {
      const b = authFor(issuer, {}, { redis: { url: redis.url } })
      await b.ready()
      return (await outcome(b.authenticate(bearer(token)))) === 'token_revoked'
    })
    expect(await outcome(a.authenticate(bearer(token)))).toBe('token_revoked')
  })

  it('answers 503 in strict mode while Redis is down (closed policy), never 500 or a hang', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { redis: { url: redis.url, commandTimeoutMs: 300 }, revocation: { consistency: 'strict' } },
    )
    await auth.ready()
    const token = await issuer.sign()
    await auth.authenticate(bearer(token))
    await redis.kill()
    const started = Date.now()
    expect(await outcome(auth.authenticate(bearer(token)))).toBe('auth_unavailable')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
