import { createHash } from 'node:crypto'
import { readScopes } from '../authorize/scopes.js'
import type { TrustedIssuer } from '../issuers/trusted-issuer.js'
import { validateClaims } from '../jwt/claims.js'
import { decodeJws, type JwsHeader } from '../jwt/decode.js'
import type { VerifiedToken } from '../jwt/verify-token.js'
import { MERCURY_VALIDATED_TOKEN, TOKEN_CACHE } from '../redis/keys.js'
import type { SharedStore } from '../store/shared-store.js'

/**
 * Where entries live and what they hold:
 * - `portcullis`: `{prefix}token:{sha256 hex}` → `{ header, claims }`;
 * - `mercury`: Mercury's own `validated_token:{first 32 hex of sha256}` (unprefixed) → the verified claims object
 *   as JSON. Mercury's value format is an assumption (no sample was available): it is read defensively, below.
 */
export type SharedTokenCacheLayout = 'portcullis' | 'mercury'

/** `redis.tokenCache` as configured: a boolean, or `{ enabled, layout }`. */
export type SharedTokenCacheSetting = boolean | { enabled: boolean; layout: SharedTokenCacheLayout }

/** The layout in use, or undefined when the shared cache is off. */
export function sharedTokenCacheLayout(
  setting: SharedTokenCacheSetting | undefined,
): SharedTokenCacheLayout | undefined {
  if (setting === undefined || setting === false) return undefined
  if (setting === true) return 'portcullis'
  return setting.enabled ? setting.layout : undefined
}

/** Registered claims a stored entry must agree on with the token it is filed under. */
const BOUND_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const

/**
 * L2: validated tokens shared through Redis, keyed by SHA-256 of the token (the token itself never leaves the
 * process). A hit skips the signature check only: the header and claims acted on are the token's own (decoded
 * here; the stored value must agree with them on the registered claims, else it is a miss), the issuer's
 * algorithm allowlist and every claim check run again, so nothing expired or mis-issued is served from it, and
 * revocation is checked afterwards as on any request. A value that is unreadable or of an unexpected shape is a
 * miss, never an acceptance. Both value shapes are read in either layout: `{ header, claims }` and a bare
 * claims object.
 *
 * Off by default: on loopback a Redis GET costs more than verifying RS512, ES256 or EdDSA locally (see
 * bench/RESULTS.md); it pays only when signature checks are expensive or CPU is the bottleneck.
 * Whoever can write to this Redis can mint identities here, exactly as they can clear revocations.
 */
export class SharedTokenCache {
  readonly #store: SharedStore
  readonly #ttlMs: number
  readonly #layout: SharedTokenCacheLayout

  /** `store` must add the Portcullis prefix for `portcullis` and add none for `mercury`. */
  constructor(store: SharedStore, ttlMs: number, layout: SharedTokenCacheLayout = 'portcullis') {
    this.#store = store
    this.#ttlMs = ttlMs
    this.#layout = layout
  }

  /** The shared entry for `token`, re-checked; undefined for a miss of any kind. Hot path (L1 miss). */
  async get(token: string, issuers: ReadonlyMap<string, TrustedIssuer>): Promise<VerifiedToken | undefined> {
    let stored: Record<string, unknown> | undefined
    let header: JwsHeader
    let claims: Record<string, unknown>
    try {
      const text = await this.#store.get(this.#keyFor(token))
      if (text === undefined) return undefined
      stored = storedClaims(JSON.parse(text))
      if (stored === undefined) return undefined
      // Refuses what a fresh verification would refuse before any key lookup (none, crit, b64...).
      const decoded = decodeJws(token)
      header = decoded.header
      claims = decoded.payload
    } catch {
      return undefined
    }
    for (const name of BOUND_CLAIMS) {
      if (JSON.stringify(stored[name]) !== JSON.stringify(claims[name])) return undefined
    }
    const iss = claims.iss
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined
    if (!issuer?.algorithms.has(header.alg)) return undefined
    try {
      const expiresAt = validateClaims(header, claims, issuer, Date.now() / 1000)
      const user = issuer.preset.toUser(claims, issuer.issuer, readScopes(claims))
      if (typeof user === 'string') return undefined
      return { token, header, claims, user, issuer: issuer.issuer, expiresAt }
    } catch {
      // Expired or no longer acceptable under the current config: verify from scratch.
      return undefined
    }
  }

  async set(verified: VerifiedToken, nowMs: number): Promise<void> {
    const ttl = Math.min(this.#ttlMs, Math.floor(verified.expiresAt * 1000 - nowMs))
    if (ttl <= 0) return
    const value =
      this.#layout === 'mercury'
        ? verified.claims
        : { header: verified.header as JwsHeader, claims: verified.claims as Record<string, unknown> }
    await this.#store.set(this.#keyFor(verified.token), JSON.stringify(value), ttl).catch(() => {})
  }

  #keyFor(token: string): string {
    const hash = createHash('sha256').update(token).digest('hex')
    return this.#layout === 'mercury' ? MERCURY_VALIDATED_TOKEN + hash.slice(0, 32) : TOKEN_CACHE + hash
  }
}

/** The claims a stored value vouches for: those of a `{ header, claims }` envelope, or a bare claims object. */
function storedClaims(value: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) return undefined
  if (isPlainObject(value.claims) && isPlainObject(value.header)) return value.claims
  return value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
