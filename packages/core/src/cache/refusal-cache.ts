import { AuthError, type AuthErrorCode, because } from '../errors.js'
import { indexKey } from './token-cache.js'

/**
 * Refusals that the same token will get again however often it is sent, as long as the issuer's keys and this
 * configuration stay the same: its signature, its expiry, its audience, type and claims. Not remembered:
 * what time or a key-set refresh can change (`token_not_yet_valid`, `token_key_unknown`), what is cheap to
 * decide again (malformed, unknown issuer, algorithm), and revocation, which is checked on every request.
 */
const REMEMBERED: ReadonlySet<AuthErrorCode> = new Set<AuthErrorCode>([
  'token_signature_invalid',
  'token_expired',
  'token_audience_invalid',
  'token_type_invalid',
  'token_claims_invalid',
])

interface Refusal {
  readonly token: string
  readonly code: AuthErrorCode
  readonly reason: string
  readonly until: number
}

/**
 * Tokens refused recently, so a client replaying a bad token (a broken client retrying, an attacker) costs a
 * map lookup instead of a signature check each time: an RSA or EdDSA verification is the dearest thing a
 * request can make us do. Matched on the exact token like L1 (L1's `indexKey`, confirmed by the whole
 * string), bounded in count (the oldest goes first) and in time (`ttlMs`, so an issuer that reuses a
 * `kid` for new key material is believed again soon after the key set is refreshed). Consulted only when the
 * token must be verified here: after L1 and the shared Redis cache (where another instance or Mercury may have
 * vouched for it) missed. The failure limiter still counts every replayed refusal.
 */
export class RefusalCache {
  readonly #entries = new Map<number, Refusal>()
  readonly #limit: number
  readonly #ttlMs: number

  constructor(limit: number, ttlMs: number) {
    this.#limit = limit
    this.#ttlMs = ttlMs
  }

  /** A fresh error for a token refused within `ttlMs`, else undefined. Hot path (before a verification). */
  refusal(token: string, nowMs: number): AuthError | undefined {
    const key = indexKey(token)
    const entry = this.#entries.get(key)
    if (entry === undefined || entry.token !== token) return undefined
    if (entry.until <= nowMs) {
      this.#entries.delete(key)
      return undefined
    }
    return new AuthError(entry.code, { cause: because(`${entry.reason} (refused earlier)`) })
  }

  /** Remembers `error` for `token` when it is a refusal the token would get again. */
  remember(token: string, error: unknown, nowMs: number): void {
    if (!(error instanceof AuthError) || !REMEMBERED.has(error.code)) return
    const key = indexKey(token)
    this.#entries.delete(key)
    if (this.#entries.size >= this.#limit) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    const reason = error.cause instanceof Error ? error.cause.message : error.message
    this.#entries.set(key, { token, code: error.code, reason, until: nowMs + this.#ttlMs })
  }

  clear(): void {
    this.#entries.clear()
  }
}
