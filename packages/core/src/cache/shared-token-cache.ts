import { createHash } from 'node:crypto'
import { readScopes } from '../authorize/scopes.js'
import type { TrustedIssuer } from '../issuers/trusted-issuer.js'
import { validateClaims } from '../jwt/claims.js'
import type { JwsHeader } from '../jwt/decode.js'
import type { VerifiedToken } from '../jwt/verify-token.js'
import type { SharedStore } from '../store/shared-store.js'

interface SharedEntry {
  header: JwsHeader
  claims: Record<string, unknown>
}

/**
 * L2: validated tokens shared through Redis, keyed by SHA-256 of the token (the token itself never leaves the
 * process). A hit skips the signature check but re-runs every claim check, so nothing expired or mis-issued is
 * served from it. Off by default: on loopback a Redis GET costs more than verifying RS512, ES256 or EdDSA
 * locally (see bench/RESULTS.md); it pays only when signature checks are expensive or CPU is the bottleneck.
 * Whoever can write to this Redis can mint identities here, exactly as they can clear revocations.
 */
export class SharedTokenCache {
  readonly #store: SharedStore
  readonly #ttlMs: number

  constructor(store: SharedStore, ttlMs: number) {
    this.#store = store
    this.#ttlMs = ttlMs
  }

  async get(token: string, issuers: ReadonlyMap<string, TrustedIssuer>): Promise<VerifiedToken | undefined> {
    let entry: SharedEntry
    try {
      const text = await this.#store.get(keyFor(token))
      if (text === undefined) return undefined
      entry = JSON.parse(text) as SharedEntry
    } catch {
      return undefined
    }
    const iss = entry.claims?.iss
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined
    if (!issuer) return undefined
    try {
      const expiresAt = validateClaims(entry.header, entry.claims, issuer, Date.now() / 1000)
      const user = issuer.preset.toUser(entry.claims, issuer.issuer, readScopes(entry.claims))
      if (typeof user === 'string') return undefined
      return { token, header: entry.header, claims: entry.claims, user, issuer: issuer.issuer, expiresAt }
    } catch {
      // Expired or no longer acceptable under the current config: verify from scratch.
      return undefined
    }
  }

  async set(verified: VerifiedToken, nowMs: number): Promise<void> {
    const ttl = Math.min(this.#ttlMs, Math.floor(verified.expiresAt * 1000 - nowMs))
    if (ttl <= 0) return
    const entry: SharedEntry = {
      header: verified.header as JwsHeader,
      claims: verified.claims as Record<string, unknown>,
    }
    await this.#store.set(keyFor(verified.token), JSON.stringify(entry), ttl).catch(() => {})
  }
}

function keyFor(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex')}`
}
