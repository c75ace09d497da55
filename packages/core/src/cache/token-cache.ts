import { LRUCache } from 'lru-cache'
import type { VerifiedToken } from '../jwt/verify-token.js'

export interface TokenCacheOptions {
  maxEntries: number
  maxBytes: number
  ttlMs: number
}

interface Entry {
  verified: VerifiedToken
  /** Epoch ms after which the entry is not served: the cache TTL, never past the token's `exp`. */
  until: number
}

/**
 * L1: validated tokens in process, matched on the exact token string. A request's token is a fresh string,
 * and using all ~800 characters of it as a Map key makes V8 hash every one of them on each lookup (measured:
 * ~1.3 µs, most of a hit). The index is therefore the token's last characters (its signature: random,
 * ~140 bits), and a hit is confirmed by comparing the whole string; a different token with the same tail
 * is simply a miss. No cryptographic hash is needed: the key never leaves the process.
 * Entries never outlive the token's `exp`, the cache is bounded by entry count and by an estimate of the
 * bytes it holds, and expiry is checked against the request's own clock reading (lru-cache's TTL would read
 * the clock again on every hit).
 */
export class TokenCache {
  readonly #lru: LRUCache<string, Entry>
  readonly #ttlMs: number

  constructor(options: TokenCacheOptions) {
    this.#ttlMs = options.ttlMs
    this.#lru = new LRUCache<string, Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // The token string is held once (key and value share it); claims and user are about twice its size.
      sizeCalculation: (entry) => entry.verified.token.length * 4 + 256,
    })
  }

  /** The cached verification if present and still within its time. Hot path. */
  get(token: string, nowMs: number): VerifiedToken | undefined {
    const key = indexKey(token)
    const entry = this.#lru.get(key)
    if (entry === undefined || entry.verified.token !== token) return undefined
    if (entry.until <= nowMs) {
      this.#lru.delete(key)
      return undefined
    }
    return entry.verified
  }

  set(verified: VerifiedToken, nowMs: number): void {
    const until = Math.min(nowMs + this.#ttlMs, Math.floor(verified.expiresAt * 1000))
    if (until > nowMs) this.#lru.set(indexKey(verified.token), { verified, until })
  }

  delete(token: string): void {
    const key = indexKey(token)
    if (this.#lru.get(key)?.verified.token === token) this.#lru.delete(key)
  }

  clear(): void {
    this.#lru.clear()
  }

  get size(): number {
    return this.#lru.size
  }

  get calculatedBytes(): number {
    return this.#lru.calculatedSize
  }
}

/** The last 24 characters: inside the signature of any real JWS, so they tell tokens apart. */
function indexKey(token: string): string {
  return token.length <= 32 ? token : token.slice(-24)
}
