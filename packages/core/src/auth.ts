import {
  type AuthPolicy,
  type CompiledPolicy,
  compilePolicy,
  isCompiledPolicy,
  requireScopes,
} from './authorize/policy.js'
import { TokenCache } from './cache/token-cache.js'
import { ConfigError } from './config/errors.js'
import { configSchema, type PortcullisConfig, type PortcullisConfigInput } from './config/schema.js'
import { AuthError, type ChallengeParams } from './errors.js'
import type { AuthEventListener } from './events.js'
import { createTrustedIssuers, type TrustedIssuer } from './issuers/trusted-issuer.js'
import { type VerifiedToken, verifyToken } from './jwt/verify-token.js'
import {
  buildProtectedResourceMetadata,
  type ProtectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './metadata.js'
import type { Claims, User } from './presets/types.js'
import { extractBearer } from './request/bearer.js'
import type { AuthInput } from './request/input.js'
import { RevocationView } from './revocation/revocation-view.js'
import { createInProcessRevoker, type Revoker } from './revocation/revoker.js'

/** What a successful `authenticate` returns. Anonymous (optional policy, no credentials): every field absent. */
export interface AuthResult {
  user?: User
  claims?: Claims
  /** The bearer token as received. */
  token?: string
  issuer?: string
}

export interface AuthOptions {
  /** Observability hook: success/failure, JWKS fetches. Called synchronously; keep it cheap. */
  onEvent?: AuthEventListener
}

export interface Auth {
  /** Authenticates a request under a policy; resolves with the identity or rejects with `AuthError`. */
  authenticate(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): Promise<AuthResult>
  /** Resolves a policy once, for adapters to reuse on every request. */
  policy(policy?: AuthPolicy): CompiledPolicy
  readonly revoke: Revoker
  readonly config: PortcullisConfig
  /** RFC 9728 document, when `protectedResource` is configured. */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /** Loads every issuer's keys now instead of on the first request. Rejects on a static-key config error. */
  ready(): Promise<void>
  close(): Promise<void>
}

/** Builds an `Auth` from configuration (validated here; a bad config throws `ConfigError` naming the field). */
export function createAuth(
  config: PortcullisConfigInput | PortcullisConfig,
  options: AuthOptions = {},
): Auth {
  const parsed = configSchema.safeParse(config)
  if (!parsed.success) throw ConfigError.fromZod(parsed.error)
  return new PortcullisAuth(parsed.data, options)
}

class PortcullisAuth implements Auth {
  readonly config: PortcullisConfig
  readonly revoke: Revoker
  readonly #issuers: Map<string, TrustedIssuer>
  readonly #cache: TokenCache | undefined
  readonly #revocations = new RevocationView()
  readonly #challenge: ChallengeParams
  readonly #onEvent: AuthEventListener | undefined
  readonly #policies = new WeakMap<AuthPolicy, CompiledPolicy>()
  readonly #defaultPolicy: CompiledPolicy

  constructor(config: PortcullisConfig, options: AuthOptions) {
    this.config = config
    this.#onEvent = options.onEvent
    const onEvent = options.onEvent
    this.#issuers = createTrustedIssuers({
      config,
      ...(onEvent && {
        onKeySetFetch: (event) =>
          onEvent({
            type: 'jwks.fetch',
            issuer: event.issuer,
            url: event.url,
            ok: event.ok,
            durationMs: event.durationMs,
            ...(event.keys !== undefined && { keys: event.keys }),
            ...(event.skipped !== undefined && { skipped: event.skipped.length }),
            ...(event.error !== undefined && { error: event.error.message }),
          }),
      }),
    })
    const cache = config.tokenCache
    this.#cache = cache.enabled
      ? new TokenCache({ maxEntries: cache.maxEntries, maxBytes: cache.maxBytes, ttlMs: cache.ttlSec * 1000 })
      : undefined
    this.revoke = createInProcessRevoker(this.#revocations)
    this.#challenge = {
      ...(config.realm !== undefined && { realm: config.realm }),
      ...(config.protectedResource && {
        resourceMetadata: protectedResourceMetadataUrl(config.protectedResource),
      }),
    }
    this.#defaultPolicy = this.policy()
  }

  policy(policy?: AuthPolicy): CompiledPolicy {
    const compiled = compilePolicy(policy)
    if (compiled.mode !== 'jwt') {
      throw new ConfigError([
        {
          path: 'policy.mode',
          message: `"${compiled.mode}" needs project authentication, which is not configured`,
        },
      ])
    }
    if (compiled.issuers) {
      for (const issuer of compiled.issuers) {
        if (!this.#issuers.has(issuer))
          throw new ConfigError([{ path: 'policy.issuers', message: `${issuer} is not a configured issuer` }])
      }
    }
    return compiled
  }

  async authenticate(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): Promise<AuthResult> {
    const compiled = this.#resolvePolicy(policy)
    const started = this.#onEvent ? performance.now() : 0
    try {
      const result = await this.#authenticateJwt(input, compiled)
      if (this.#onEvent) this.#reportSuccess(compiled, result, started)
      return result
    } catch (error) {
      const authError = this.#toAuthError(error)
      if (this.#onEvent) {
        this.#onEvent({
          type: 'auth.failure',
          mode: compiled.mode,
          code: authError.code,
          status: authError.status,
          durationMs: performance.now() - started,
        })
      }
      throw authError
    }
  }

  protectedResourceMetadata(): ProtectedResourceMetadata | undefined {
    const resource = this.config.protectedResource
    return resource && buildProtectedResourceMetadata(resource, [...this.#issuers.keys()])
  }

  async ready(): Promise<void> {
    await Promise.all([...this.#issuers.values()].map((issuer) => issuer.keys.warm()))
  }

  async close(): Promise<void> {
    for (const issuer of this.#issuers.values()) issuer.keys.close()
    this.#cache?.clear()
  }

  /** The bearer path: L1 hit or full verification, then what can change after validation. Hot path. */
  async #authenticateJwt(input: AuthInput, policy: CompiledPolicy): Promise<AuthResult> {
    const token = extractBearer(input.headers, this.config.maxTokenBytes)
    if (token === undefined) {
      if (policy.optional) return {}
      throw new AuthError('credentials_missing')
    }
    const now = Date.now()
    let verified = this.#cache?.get(token, now)
    if (this.#onEvent) this.#onEvent({ type: verified ? 'cache.hit' : 'cache.miss', cache: 'token' })
    if (verified === undefined) {
      verified = await verifyToken(token, this.#issuers)
      this.#cache?.set(verified, now)
    }
    this.#checkStillValid(verified, policy, now)
    return { user: verified.user, claims: verified.claims, token, issuer: verified.issuer }
  }

  /** Everything that can change after a token was validated: revocation and this route's rules. Hot path. */
  #checkStillValid(verified: VerifiedToken, policy: CompiledPolicy, now: number): void {
    const claims = verified.claims
    const jti = typeof claims.jti === 'string' ? claims.jti : undefined
    const iat = typeof claims.iat === 'number' ? claims.iat : undefined
    if (this.#revocations.isTokenRevoked(jti, verified.user.subject, iat, now)) {
      throw new AuthError('token_revoked')
    }
    if (policy.issuers && !policy.issuers.has(verified.issuer)) {
      throw new AuthError('token_issuer_unknown', { cause: new Error('issuer not accepted on this route') })
    }
    requireScopes(verified.user.scopes, policy)
  }

  /** Plain policy objects are compiled once and remembered, so passing a literal each time stays cheap. */
  #resolvePolicy(policy: AuthPolicy | CompiledPolicy | undefined): CompiledPolicy {
    if (policy === undefined) return this.#defaultPolicy
    if (isCompiledPolicy(policy)) return policy
    let compiled = this.#policies.get(policy)
    if (compiled === undefined) {
      compiled = this.policy(policy)
      this.#policies.set(policy, compiled)
    }
    return compiled
  }

  /** Anything unexpected becomes a 503 (fail closed): a bug must never let a request through or leak a 500. */
  #toAuthError(error: unknown): AuthError {
    const authError = error instanceof AuthError ? error : new AuthError('auth_unavailable', { cause: error })
    authError.challenge = this.#challenge
    return authError
  }

  #reportSuccess(policy: CompiledPolicy, result: AuthResult, started: number): void {
    this.#onEvent?.({
      type: 'auth.success',
      mode: policy.mode,
      ...(result.issuer !== undefined && { issuer: result.issuer }),
      durationMs: performance.now() - started,
    })
  }
}
