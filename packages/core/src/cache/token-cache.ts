import { LRUCache } from 'lru-cache'
import type { VerifiedToken } from '../jwt/verify-token.js'

export interface TokenCacheOptions {
  maxEntries: number
  maxBytes: number
  ttlMs: number
}

/**
 * L1: validated tokens in process, keyed by the exact token string. Hashing the key would cost as much as
 * the rest of a hit, and the key never leaves the process. Entries never outlive the token's `exp`,
 * and the cache is bounded by entry count and by an estimate of the bytes it holds.
 */
export class TokenCache {
  readonly #lru: LRUCache<string, VerifiedToken>
  readonly #ttlMs: number

  constructor(options: TokenCacheOptions) {
    this.#ttlMs = options.ttlMs
    this.#lru = new LRUCache<string, VerifiedToken>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // The token string is held once (key and value share it); claims and user are about twice its size.
      sizeCalculation: (_value, token) => token.length * 4 + 256,
      ttl: options.ttlMs,
      updateAgeOnGet: false,
    })
  }

  /** The cached verification if present and its token has not expired. Hot path. */
  get(token: string, nowMs: number): VerifiedToken | undefined {
    const hit = this.#lru.get(token)
    if (hit === undefined) return undefined
    if (hit.expiresAt * 1000 <= nowMs) {
      this.#lru.delete(token)
      return undefined
    }
    return hit
  }

  set(verified: VerifiedToken, nowMs: number): void {
    const ttl = Math.min(this.#ttlMs, Math.floor(verified.expiresAt * 1000 - nowMs))
    if (ttl > 0) this.#lru.set(verified.token, verified, { ttl })
  }

  delete(token: string): void {
    this.#lru.delete(token)
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
