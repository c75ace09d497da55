import type { IssuerConfig } from '../config/schema.js'
import type { AsymmetricAlgorithm } from '../jwt/algorithms.js'
import type { PresetName } from './names.js'

/** The identity behind a verified token, the same shape whichever provider issued it. */
export interface User {
  /** Canonical id: email, else preferred_username, else upn, else subject. Allowlists match on it. */
  id: string
  /** The token's subject (Mercury: the user's uuid). */
  subject: string
  issuer: string
  email?: string
  emailVerified?: boolean
  name?: string
  /** Scopes granted by the token (scope, scp, scopes, permissions). */
  scopes: readonly string[]
  /** Tenant or organisation the user signed in through (Entra `tid`, Okta/Auth0 `org_id`, Google `hd`). */
  tenant?: string
  /** Mercury: the project the token was issued for (`project_uuid`). */
  projectUuid?: string
}

export type Claims = Readonly<Record<string, unknown>>

/** How one identity provider's tokens are read. */
export interface Preset {
  name: PresetName
  /** Algorithms accepted when the issuer config lists none. */
  algorithms: readonly AsymmetricAlgorithm[]
  /** The `iss` implied by preset parameters (cognito region + pool, entra tenant), if any. */
  issuerFor?(config: IssuerConfig): string | undefined
  /** Required value of the `type` claim, unless configured otherwise. */
  tokenType?: string
  /** Whether `sub` may be an object (Mercury); everywhere else RFC 7519 requires a string. */
  objectSubject?: boolean
  /** True when `check` verifies the audience itself (Cognito access tokens carry `client_id`, not `aud`). */
  checksAudience?(config: IssuerConfig): boolean
  /** Provider-specific claim rules; returns why the claims are unacceptable, or undefined. */
  check?(claims: Claims, config: IssuerConfig, audiences: ReadonlySet<string>): string | undefined
  /** Maps verified claims to a `User`; returns a reason string when the claims cannot describe one. */
  toUser(claims: Claims, issuer: string, scopes: readonly string[]): User | string
}
