import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** An authorization request the issuer accepted (`GET /authorize`), waiting for the user to sign in. */
export interface PendingAuthorization {
  clientId: string
  redirectUri: string
  state: string | undefined
  codeChallenge: string
  /** As asked for (space-separated); checked against the user's scopes once they are known. */
  scope: string | undefined
  loginHint: string | undefined
}

/** What an authorization code stands for, bound to the request that obtained it. */
export interface CodeGrant {
  clientId: string
  redirectUri: string
  codeChallenge: string
  userUuid: string
  scopes: readonly string[]
  projectUuid: string
}

export type RedeemOutcome =
  | { ok: true; grant: CodeGrant; codeId: string }
  | { ok: false; reason: 'unknown' | 'expired' }
  /** The code came back after it was exchanged: the tokens issued for it must be revoked. */
  | { ok: false; reason: 'reused'; issued: IssuedFromCode | undefined }

export interface IssuedFromCode {
  refreshFamilyId: string
  jti: string
  exp: number
}

interface StoredCode {
  grant: CodeGrant
  expiresAt: number
  usedAt?: number
  issued?: IssuedFromCode
}

const REQUEST_TTL_MS = 10 * 60_000
const CODE_TTL_MS = 60_000
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * Pending authorization requests and the single-use codes they yield (OAuth 2.1 authorization code grant,
 * PKCE S256 only). Both are random; codes are stored by SHA-256 and live a minute.
 */
export class AuthorizationCodes {
  readonly #pending = new Map<string, { request: PendingAuthorization; expiresAt: number }>()
  readonly #codes = new Map<string, StoredCode>()

  /** Remembers a validated request; the login form carries only the returned id. */
  begin(request: PendingAuthorization, now = Date.now()): string {
    this.#sweep(now)
    const id = randomBytes(24).toString('base64url')
    this.#pending.set(id, { request, expiresAt: now + REQUEST_TTL_MS })
    return id
  }

  pending(id: string, now = Date.now()): PendingAuthorization | undefined {
    const entry = this.#pending.get(id)
    return entry && entry.expiresAt > now ? entry.request : undefined
  }

  /** Ends a pending request (signed in or denied): its id cannot be used twice. */
  finish(id: string): void {
    this.#pending.delete(id)
  }

  issue(grant: CodeGrant, now = Date.now()): string {
    const code = `ac.${randomBytes(32).toString('base64url')}`
    this.#codes.set(digest(code), { grant, expiresAt: now + CODE_TTL_MS })
    return code
  }

  /** Marks the code used and returns its grant; a second presentation reports what was issued for it. */
  redeem(code: string, now = Date.now()): RedeemOutcome {
    const stored = this.#codes.get(digest(code))
    if (!stored) return { ok: false, reason: 'unknown' }
    if (stored.usedAt !== undefined) return { ok: false, reason: 'reused', issued: stored.issued }
    stored.usedAt = now
    if (stored.expiresAt <= now) return { ok: false, reason: 'expired' }
    return { ok: true, grant: stored.grant, codeId: digest(code) }
  }

  recordIssued(codeId: string, issued: IssuedFromCode): void {
    const stored = this.#codes.get(codeId)
    if (stored) stored.issued = issued
  }

  #sweep(now: number): void {
    for (const [id, entry] of this.#pending) if (entry.expiresAt <= now) this.#pending.delete(id)
    // Used codes are kept until they would have expired, so reuse is recognised for that long.
    for (const [id, stored] of this.#codes)
      if (stored.expiresAt + REQUEST_TTL_MS <= now) this.#codes.delete(id)
  }
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)) equals the challenge, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'))
  const expected = Buffer.from(challenge)
  return computed.length === expected.length && timingSafeEqual(computed, expected)
}

/** A challenge is the base64url SHA-256 of a verifier: 43 characters. */
export function isS256Challenge(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value)
}

function digest(code: string): string {
  return createHash('sha256').update(code).digest('hex')
}
