import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashProjectSecret } from '../../src/index.js'
import { rawClient, redisForTest, within } from '../redis/redis-setup.js'
import { authFor, issuerForTest } from '../setup.js'
import { CURVE_ORDER, fromBytes, segments, toFixedBytes, verdict, verdictFor } from './support.js'

// Revocation attacks and races: OWASP JWT cheat sheet ("no built-in token revocation"), RFC 7009 §2 (a revoked
// token must stop working), RFC 9068 §5 (resource servers and revocation), RFC 7519 §2 (NumericDate may be
// fractional), RFC 4648 §3.5 (non-canonical encodings), ECDSA signature malleability (SEC 1 §4.1.4:
// (r, s) and (r, n−s) both verify). Real Redis for every cross-instance case.

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const noLimit = { rateLimit: { enabled: false } } as const
/**
 * How soon another instance must refuse a revoked token. Measured propagation is a few milliseconds (the
 * shared-state tests require < 100 ms on a quiet machine); this bound leaves room for a loaded CI runner.
 */
const PROPAGATION_BOUND_MS = 250

describe('revoke while cached — in process', () => {
  it('refuses a revoked jti on the very next request, although the token sits in the L1 cache', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ jti: 'cached-1' })
    expect(await verdictFor(auth, token)).toBe('ok')
    expect(await verdictFor(auth, token)).toBe('ok')
    await auth.revoke.token('cached-1', inSeconds(300))
    expect(await verdictFor(auth, token)).toBe('token_revoked')
  })

  it('refuses every cached token of a revoked subject issued before the cut-off, and only those', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const before = await issuer.sign({ sub: 'eve', iat: inSeconds(-10) })
    expect(await verdictFor(auth, before)).toBe('ok')
    await auth.revoke.subject('eve')
    expect(await verdictFor(auth, before)).toBe('token_revoked')
    const after = await issuer.sign({ sub: 'eve', iat: inSeconds(1) })
    expect(await verdictFor(auth, after)).toBe('ok')
  })

  it('counts a token without iat as issued before a subject cut-off (it cannot prove otherwise)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ sub: 'eve', iat: undefined })
    expect(await verdictFor(auth, token)).toBe('ok')
    await auth.revoke.subject('eve')
    expect(await verdictFor(auth, token)).toBe('token_revoked')
  })

  it('keeps a revoked token revoked under a re-encoded signature (spare base64url bits, RFC 4648 §3.5)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ jti: 'reencoded' })
    const [h, p, s] = segments(token)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // 64 signature bytes take 86 characters: the last one carries 2 data bits and 4 spare ones.
    const last = alphabet.indexOf(s.at(-1) as string)
    const twinSig = s.slice(0, -1) + alphabet[last ^ 0b1111]
    expect(Buffer.from(twinSig, 'base64url')).toEqual(Buffer.from(s, 'base64url'))
    const twin = `${h}.${p}.${twinSig}`
    expect(await verdictFor(auth, token)).toBe('ok')
    await auth.revoke.token('reencoded', inSeconds(300))
    expect(await verdictFor(auth, token)).toBe('token_revoked')
    expect(await verdictFor(auth, twin)).not.toBe('ok')
  })

  it('keeps a revoked token revoked under its malleated ECDSA twin (r, n−s)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, noLimit)
    const token = await issuer.sign({ jti: 'malleable' })
    const [h, p, s] = segments(token)
    const sig = Buffer.from(s, 'base64url')
    const twinS = CURVE_ORDER.ES256 - fromBytes(sig.subarray(32))
    const twin = `${h}.${p}.${Buffer.concat([sig.subarray(0, 32), toFixedBytes(twinS, 32)]).toString('base64url')}`
    // The twin is a different string with a valid signature: only jti-based revocation catches it.
    expect(await verdictFor(auth, twin)).toBe('ok')
    await auth.revoke.token('malleable', inSeconds(300))
    expect(await verdictFor(auth, token)).toBe('token_revoked')
    expect(await verdictFor(auth, twin)).toBe('token_revoked')
  })

  it('refuses cached app credentials of a revoked project at once', async () => {
    const signingSecret = 'a-signing-secret-for-revocation-tests'
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      {
        ...noLimit,
        service: { id: 'svc-orders' },
        projects: {
          signingSecret,
          resolvers: ['static'],
          static: [
            {
              appId: 'app-1',
              secretHash: hashProjectSecret('app-secret-1', signingSecret),
              projectUuid: 'project-1',
              enabledServices: ['svc-orders'],
            },
          ],
        },
      },
    )
    const input = { headers: { 'x-app-id': 'app-1', 'x-app-secret': 'app-secret-1' } }
    expect(await verdict(auth, input, { mode: 'project' })).toBe('ok')
    await auth.revoke.project('project-1')
    expect(await verdict(auth, input, { mode: 'project' })).toBe('project_revoked')
  })
})

describe('revoke while cached — across instances over real Redis', () => {
  it('refuses on instance B within the propagation bound a token B has cached, revoked on instance A', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    const b = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    await Promise.all([a.ready(), b.ready()])
    const token = await issuer.sign({ jti: 'cross-1' })
    expect(await verdictFor(b, token)).toBe('ok')
    await a.revoke.token('cross-1', inSeconds(300))
    await within(PROPAGATION_BOUND_MS, async () => (await verdictFor(b, token)) === 'token_revoked')
  })

  it('never accepts a token after the propagation bound while B is hammered during the revocation', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    const b = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    await Promise.all([a.ready(), b.ready()])
    const token = await issuer.sign({ jti: 'race-1' })
    const bound = PROPAGATION_BOUND_MS
    let revokedAt = Number.POSITIVE_INFINITY
    let stop = false
    const seen: { at: number; verdict: string }[] = []
    const hammer = async () => {
      while (!stop) {
        const result = await verdictFor(b, token)
        seen.push({ at: performance.now(), verdict: result })
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const workers = Array.from({ length: 8 }, hammer)
    await sleep(50)
    await a.revoke.token('race-1', inSeconds(300))
    revokedAt = performance.now()
    await sleep(bound + 400)
    stop = true
    await Promise.all(workers)
    const late = seen.filter((entry) => entry.at > revokedAt + bound && entry.verdict === 'ok')
    expect(late).toEqual([])
    expect(new Set(seen.map((entry) => entry.verdict))).toEqual(new Set(['ok', 'token_revoked']))
    expect(seen.filter((entry) => entry.at > revokedAt + bound).length).toBeGreaterThan(10)
  })

  it('honours a revocation an operator writes with redis-cli and no PUBLISH, in strict mode at once', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { ...noLimit, redis: { url: redis.url }, revocation: { consistency: 'strict' } },
    )
    await auth.ready()
    const token = await issuer.sign({ jti: 'operator-1' })
    expect(await verdictFor(auth, token)).toBe('ok')
    await rawClient(redis.url).set('portcullis:revoked:jti:operator-1', '1', 'EX', 300)
    expect(await verdictFor(auth, token)).toBe('token_revoked')
  })

  it('honours an operator’s redis-cli revocation without PUBLISH in eventual mode within 500 ms (keyspace events)', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { ...noLimit, redis: { url: redis.url } })
    await auth.ready()
    const token = await issuer.sign({ jti: 'operator-2' })
    expect(await verdictFor(auth, token)).toBe('ok')
    await rawClient(redis.url).set('portcullis:revoked:jti:operator-2', '1', 'EX', 300)
    await within(500, async () => (await verdictFor(auth, token)) === 'token_revoked')
  })

  it('checks revocation on a shared L2 token-cache hit (the instance never verified the token itself)', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = { ...noLimit, redis: { url: redis.url, tokenCache: true } }
    const a = authFor(issuer, {}, config)
    const c = authFor(issuer, {}, config)
    await Promise.all([a.ready(), c.ready()])
    const token = await issuer.sign({ jti: 'l2-1' })
    expect(await verdictFor(a, token)).toBe('ok')
    const key = `portcullis:token:${createHash('sha256').update(token).digest('hex')}`
    await within(1000, async () => (await rawClient(redis.url).exists(key)) === 1)
    await a.revoke.token('l2-1', inSeconds(300))
    await within(PROPAGATION_BOUND_MS, async () => (await verdictFor(c, token)) === 'token_revoked')
  })

  it('keeps revocations made before a Redis restart when revocations queued during the outage are replayed', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = { ...noLimit, redis: { url: redis.url, maxStaleMs: 60_000, commandTimeoutMs: 300 } }
    const a = authFor(issuer, {}, config)
    await a.ready()
    const early = await issuer.sign({ jti: 'before-outage-1' })
    for (const jti of ['before-outage-1', 'before-outage-2', 'before-outage-3']) {
      await a.revoke.token(jti, inSeconds(300))
    }
    await redis.kill()
    // Queued while Redis is down: as many as before, so replaying them brings the version counter back to 3.
    await Promise.all(['during-1', 'during-2', 'during-3'].map((jti) => a.revoke.token(jti, inSeconds(300))))
    await redis.start()
    const raw = rawClient(redis.url)
    await within(5000, async () => (await raw.exists('portcullis:revoked:jti:during-3').catch(() => 0)) === 1)
    await sleep(500)
    // Redis restarted empty: the instance must write back what it knew, not adopt the emptied state.
    expect(await raw.exists('portcullis:revoked:jti:before-outage-1')).toBe(1)
    expect(await verdictFor(a, early)).toBe('token_revoked')
  })

  it('propagates a revocation whose expiry is a fractional NumericDate (RFC 7519 §2) to other instances', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = { ...noLimit, redis: { url: redis.url } }
    const a = authFor(issuer, {}, config)
    const b = authFor(issuer, {}, config)
    await Promise.all([a.ready(), b.ready()])
    // A token whose exp is fractional, revoked as the README shows: auth.revoke.token(claims.jti, claims.exp).
    const exp = inSeconds(300) + 0.1234
    const token = await issuer.sign({ jti: 'fractional-1', exp })
    expect(await verdictFor(b, token)).toBe('ok')
    await a.revoke.token('fractional-1', exp)
    expect(await verdictFor(a, token)).toBe('token_revoked')
    await within(1000, async () => (await verdictFor(b, token)) === 'token_revoked')
  })

  it('does not let one fractional-expiry revocation hold back the revocations made after it', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = { ...noLimit, redis: { url: redis.url } }
    const a = authFor(issuer, {}, config)
    const b = authFor(issuer, {}, config)
    await Promise.all([a.ready(), b.ready()])
    await a.revoke.token('fractional-2', Date.now() / 1000 + 60.1234)
    const later = await issuer.sign({ jti: 'whole-seconds' })
    expect(await verdictFor(b, later)).toBe('ok')
    await a.revoke.token('whole-seconds', inSeconds(60))
    await within(1000, async () => (await verdictFor(b, later)) === 'token_revoked')
  })

  it('keeps serving after a fractional-expiry revocation: the instance does not fail closed on its own write', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const a = authFor(
      issuer,
      {},
      { ...noLimit, redis: { url: redis.url, maxStaleMs: 1000 }, revocation: { resyncIntervalSec: 1 } },
    )
    await a.ready()
    await a.revoke.token('fractional-3', Date.now() / 1000 + 60.1234)
    // Redis is up the whole time: two resync intervals and the staleness bound later, A must still serve.
    await sleep(3000)
    expect(await verdictFor(a, await issuer.sign())).toBe('ok')
  })
})
