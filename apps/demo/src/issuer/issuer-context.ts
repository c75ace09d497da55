import type { Auth } from '@portcullis/core'
import type { AccessTokens } from './access-tokens.js'
import type { ApiKeys } from './api-keys.js'
import type { AuthorizationCodes } from './authorization-codes.js'
import type { ClaimFunction } from './dynamic-claims.js'
import type { LoginBrake } from './login-brake.js'
import type { ProjectRegistry } from './projects.js'
import type { RefreshTokens } from './refresh-tokens.js'
import type { SigningKeys } from './signing-keys.js'
import type { PasswordVerifier, UsersFile } from './users.js'

/** Everything the issuer's routes share. */
export interface IssuerContext {
  /** The issuer identifier (`iss`) and base URL: `http://127.0.0.1:<port>`. */
  url: string
  audience: string
  signingSecret: string
  adminKey: string
  /** The same `Auth` the APIs use: `/decode` verifies through it, `/revoke` writes to it. */
  auth: Auth
  users: UsersFile
  /** Tried in order for the password grant: the users file, then e.g. an LDAP bind. */
  passwordVerifiers: readonly PasswordVerifier[]
  apiKeys: ApiKeys
  projects: ProjectRegistry
  keys: SigningKeys
  tokens: AccessTokens
  refreshTokens: RefreshTokens
  claimFunctions: ReadonlyMap<string, ClaimFunction>
  /** Origins an inline `api_key_config` may call for dynamic claims. */
  inlineClaimOrigins: ReadonlySet<string>
  loginBrake: LoginBrake
  /** Public clients (no secret) allowed the authorization code flow, e.g. `portcullis-cli`. */
  publicClients: ReadonlySet<string>
  authorizationCodes: AuthorizationCodes
}
