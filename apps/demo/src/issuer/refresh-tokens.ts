import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** What a refresh token lets its holder obtain again. */
export interface RefreshGrant {
  userUuid: string
  scopes: readonly string[]
  projectUuid: string
}

interface StoredToken {
  familyId: string
  grant: RefreshGrant
  expiresAt: number
  /** Set when the token was exchanged: presenting it again is reuse. */
  usedAt?: number
}

interface Family {
  revoked: boolean
  expiresAt: number
  /** Access tokens issued in this family, revoked with it when a refresh token is reused. */
  accessTokens: { jti: string; exp: number }[]
}

export type RotateOutcome =
  | { ok: true; grant: RefreshGrant; familyId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  | { ok: false; reason: 'reused'; revokedAccessTokens: { jti: string; exp: number }[] }

/**
 * Rotating refresh tokens (OAuth 2.0 Security BCP §4.14): each one works once and yields the next of its
 * family; presenting a used one means it was copied, so the whole family is revoked, access tokens included.
 * Stored by SHA-256 (they are random), never in clear.
 */
export class RefreshTokens {
  readonly #tokens = new Map<string, StoredToken>()
  readonly #families = new Map<string, Family>()
  readonly #ttlMs: number
  #lastSweep = 0

  constructor(ttlSec: number) {
    this.#ttlMs = ttlSec * 1000
  }

  /** A new token, in a new family unless `familyId` continues one. */
  issue(
    grant: RefreshGrant,
    familyId: string = randomUUID(),
    now = Date.now(),
  ): { token: string; familyId: string } {
    this.#sweep(now)
    const token = `rt.${randomBytes(32).toString('base64url')}`
    const expiresAt = now + this.#ttlMs
    this.#tokens.set(digest(token), { familyId, grant, expiresAt })
    const family = this.#families.get(familyId)
    if (family) family.expiresAt = expiresAt
    else this.#families.set(familyId, { revoked: false, expiresAt, accessTokens: [] })
    return { token, familyId }
  }

  recordAccessToken(familyId: string, jti: string, exp: number): void {
    const family = this.#families.get(familyId)
    if (!family) return
    const nowSec = Date.now() / 1000
    family.accessTokens = family.accessTokens.filter((token) => token.exp > nowSec)
    family.accessTokens.push({ jti, exp })
  }

  /** Marks the token used and returns its grant; a second presentation revokes the family. */
  rotate(token: string, now = Date.now()): RotateOutcome {
    const stored = this.#tokens.get(digest(token))
    if (!stored) return { ok: false, reason: 'unknown' }
    const family = this.#families.get(stored.familyId)
    if (!family || family.revoked) return { ok: false, reason: 'revoked' }
    if (stored.usedAt !== undefined) {
      return { ok: false, reason: 'reused', revokedAccessTokens: this.revokeFamily(stored.familyId) }
    }
    if (stored.expiresAt <= now) return { ok: false, reason: 'expired' }
    stored.usedAt = now
    return { ok: true, grant: stored.grant, familyId: stored.familyId }
  }

  /** Revokes a family by one of its tokens (the holder's `POST /revoke`); returns its live access tokens. */
  revokeByToken(token: string): { jti: string; exp: number }[] | undefined {
    const stored = this.#tokens.get(digest(token))
    return stored && this.revokeFamily(stored.familyId)
  }

  revokeFamily(familyId: string): { jti: string; exp: number }[] {
    const family = this.#families.get(familyId)
    if (!family) return []
    family.revoked = true
    const nowSec = Date.now() / 1000
    return family.accessTokens.filter((token) => token.exp > nowSec)
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return
    this.#lastSweep = now
    for (const [key, stored] of this.#tokens) if (stored.expiresAt <= now) this.#tokens.delete(key)
    for (const [id, family] of this.#families) if (family.expiresAt <= now) this.#families.delete(id)
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
