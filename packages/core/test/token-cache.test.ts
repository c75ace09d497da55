import { describe, expect, it } from 'vitest'
import { TokenCache } from '../src/cache/token-cache.js'
import type { VerifiedToken } from '../src/jwt/verify-token.js'

const HOUR = 3600
const now = Date.now()

/** A stand-in verification: TokenCache reads only `token` and `expiresAt`. */
function verified(token: string, expiresAt = now / 1000 + HOUR): VerifiedToken {
  return {
    token,
    expiresAt,
    header: { alg: 'ES256' },
    claims: {},
    user: { subject: token } as never,
    issuer: 'i',
  }
}

/** A token-shaped string of `length` characters ending in `name` (the cache indexes by the last 12). */
function tokenNamed(name: string, length = 600): string {
  return `h.p.${name.padStart(length - 4, 'x')}`
}

describe('TokenCache (L1)', () => {
  it('serves only the exact token: a different token with the same tail is a miss', () => {
    const cache = new TokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 })
    const token = tokenNamed('abcdefghijklmnop')
    cache.set(verified(token), now)
    expect(cache.get(token, now)?.token).toBe(token)
    // A fresh copy of the same string (as from a new request) hits.
    expect(cache.get(` ${token}`.slice(1), now)?.token).toBe(token)
    const sameTail = `H${token.slice(1)}`
    expect(cache.get(sameTail, now)).toBeUndefined()
    // Storing the look-alike replaces the first under the shared index: never both, never the wrong one.
    cache.set(verified(sameTail), now)
    expect(cache.get(sameTail, now)?.token).toBe(sameTail)
    expect(cache.get(token, now)).toBeUndefined()
    expect(cache.size).toBe(1)
  })

  it('never serves an entry past the cache TTL or the token exp', () => {
    const cache = new TokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 })
    const short = tokenNamed('lives-shortly-1')
    cache.set(verified(short, now / 1000 + 10), now)
    const long = tokenNamed('lives-long-22')
    cache.set(verified(long), now)
    expect(cache.get(short, now + 9_000)).toBeDefined()
    expect(cache.get(short, now + 10_000)).toBeUndefined()
    expect(cache.get(long, now + 59_000)).toBeDefined()
    expect(cache.get(long, now + 60_000)).toBeUndefined()
    expect(cache.size).toBe(0)
    expect(cache.calculatedBytes).toBe(0)
    // Already expired: not stored at all.
    cache.set(verified(tokenNamed('expired-token'), now / 1000 - 1), now)
    expect(cache.size).toBe(0)
  })

  it('stays within maxEntries, giving entries served since the last pass a second chance', () => {
    const cache = new TokenCache({ maxEntries: 3, maxBytes: 1 << 20, ttlMs: 60_000 })
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => tokenNamed(`token-${name}-0123456789`))
    for (const token of [a, b, c]) cache.set(verified(token as string), now)
    expect(cache.get(a as string, now)).toBeDefined()
    cache.set(verified(d as string), now)
    // a was served, so the oldest unserved one (b) went.
    expect(cache.size).toBe(3)
    expect(cache.get(b as string, now)).toBeUndefined()
    for (const token of [a, c, d]) expect(cache.get(token as string, now), token).toBeDefined()
    // Every entry served: one lap clears the flags, then the oldest goes.
    cache.set(verified(e as string), now)
    expect(cache.size).toBe(3)
    expect(cache.get(e as string, now)).toBeDefined()
  })

  it('stays within maxBytes, by the same estimate it reports', () => {
    const token = (i: number) => tokenNamed(`bytes-token-${String(i).padStart(6, '0')}`, 1000)
    const perEntry = 1000 * 4 + 256
    const cache = new TokenCache({ maxEntries: 1000, maxBytes: perEntry * 5 + 10, ttlMs: 60_000 })
    for (let i = 0; i < 50; i++) {
      cache.set(verified(token(i)), now)
      expect(cache.calculatedBytes).toBeLessThanOrEqual(perEntry * 5 + 10)
    }
    expect(cache.size).toBe(5)
    expect(cache.calculatedBytes).toBe(perEntry * 5)
    expect(cache.get(token(49), now)).toBeDefined()
    // An entry larger than the whole budget is never stored (and evicts nothing).
    const tiny = new TokenCache({ maxEntries: 10, maxBytes: 100, ttlMs: 60_000 })
    tiny.set(verified(token(1)), now)
    expect(tiny.size).toBe(0)
  })

  it('forgets a token on delete and everything on clear', () => {
    const cache = new TokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 })
    const [a, b] = [tokenNamed('first-token-000000'), tokenNamed('second-token-00000')]
    cache.set(verified(a), now)
    cache.set(verified(b), now)
    cache.delete(`Z${a.slice(1)}`)
    expect(cache.size).toBe(2)
    cache.delete(a)
    expect(cache.get(a, now)).toBeUndefined()
    expect(cache.get(b, now)).toBeDefined()
    cache.clear()
    expect(cache.size).toBe(0)
    expect(cache.calculatedBytes).toBe(0)
  })
})
