import { API_KEY_ISSUER, ApiKeyAuthenticator, type ApiKeyIdentity } from './api-keys/api-key-authenticator.js'
import { type AllowRules, compileAllowRules } from './authorize/allow-rules.js'
import { type AuthPolicy, type CompiledPolicy, compilePolicy, isCompiledPolicy } from './authorize/policy.js'
import { RefusalCache } from './cache/refusal-cache.js'
import { SharedTokenCache, sharedTokenCacheLayout } from './cache/shared-token-cache.js'
import { type CachedToken, TokenCache } from './cache/token-cache.js'
import { ConfigError } from './config/errors.js'
import { configSchema, type PortcullisConfig, type PortcullisConfigInput } from './config/schema.js'
import { AuthError, because, type ChallengeParams } from './errors.js'
import type { AuthEventListener } from './events.js'
import { createTrustedIssuers, type TrustedIssuer } from './issuers/trusted-issuer.js'
import type { JwsHeader } from './jwt/decode.js'
import { type VerifiedToken, verifyToken } from './jwt/verify-token.js'
import { type Logger, silentLogger } from './logger.js'
import {
  buildProtectedResourceMetadata,
  type ProtectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './metadata.js'
import { authorizeCombined, authorizeProject, authorizeUser } from './modes/authorize-result.js'
import { createProjectPath, createSignedRequestCheck, type ProjectPath } from './modes/project-path.js'
import type { Claims, User } from './presets/types.js'
import type { ResolveProjectFunction } from './projects/function-resolver.js'
import type { ProjectIdentity } from './projects/project.js'
import type { SignedRequestVerifier } from './projects/signed-request.js'
import {
  arrivedOverPlainHttp,
  clientAddress,
  compileTrustedProxies,
  type TrustedProxies,
} from './rate-limit/client-address.js'
import { FailureLimiter } from './rate-limit/failure-limiter.js'
import { openRedis, type RedisConnection } from './redis/connection.js'
import { RedisRevocations } from './redis/redis-revocations.js'
import { RedisStore } from './redis/redis-store.js'
import { assertBearerSyntax, extractBearer } from './request/bearer.js'
import type { AuthInput } from './request/input.js'
import { InProcessRevocations, type RevocationChecker } from './revocation/revocation-checker.js'
import { type RevocationDelta, revocationStamp } from './revocation/revocation-view.js'
import { type Revoker, withApiKeys } from './revocation/revoker.js'
import { MemoryStore } from './store/memory-store.js'

/** What a successful `authenticate` returns. Anonymous (optional policy, no credentials): every field absent. */
export interface AuthResult {
  user?: User
  claims?: Claims
  /** The bearer token as received. */
  token?: string
  issuer?: string
  /** The project (or calling service) behind project credentials; branch on `project.tokenType`. */
  project?: ProjectIdentity
  /** The API key that authenticated the request (its owner is also `user`). */
  apiKey?: ApiKeyIdentity
}

export interface AuthOptions {
  /** Observability hook: success/failure, cache, JWKS fetches, Redis state. Called synchronously; keep it cheap. */
  onEvent?: AuthEventListener
  /** pino-compatible logger for operational messages (never tokens or secrets). Default: silent. */
  logger?: Logger
  /** The `function` project resolver (`projects.resolvers: ['function']`): look a project up your own way. */
  resolveProject?: ResolveProjectFunction
}

export interface Auth {
  /** Authenticates a request under a policy; resolves with the identity or rejects with `AuthError`. */
  authenticate(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): Promise<AuthResult>
  /**
   * `authenticate` for framework adapters: the same checks and outcome, but a success that needed nothing
   * awaited (an L1 hit, a miss whose key is held: most requests) is returned as it is, not as a promise.
   * Anything else, every failure included, is a promise; it never throws. Lets an adapter go on within the
   * same tick: each promise a request goes through costs microtasks and allocations.
   */
  authenticateNow(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): AuthResult | Promise<AuthResult>
  /** Resolves a policy once, for adapters to reuse on every request. */
  policy(policy?: AuthPolicy): CompiledPolicy
  /**
   * Checks an already-authenticated result against a further policy's rules (scopes, issuers) without
   * authenticating again: for a `requireScopes` step after a guard. Throws `AuthError` (403 / 401).
   */
  authorize(result: AuthResult, policy: AuthPolicy | CompiledPolicy): void
  readonly revoke: Revoker
  readonly config: PortcullisConfig
  /** RFC 9728 document, when `protectedResource` is configured. */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /**
   * Loads every issuer's keys and the revocation state now instead of on the first request.
   * Rejects on a static-key config error; never on an unreachable issuer or Redis (the failure policy handles those).
   */
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
  readonly #refusals: RefusalCache | undefined
  readonly #sharedTokens: SharedTokenCache | undefined
  readonly #revocations: RevocationChecker
  readonly #redis: RedisConnection | undefined
  readonly #limiter: FailureLimiter | undefined
  readonly #projects: ProjectPath | undefined
  readonly #signedRequests: SignedRequestVerifier | undefined
  readonly #allow: AllowRules | undefined
  readonly #defaultProjectId: string | undefined
  readonly #apiKeys: ApiKeyAuthenticator | undefined
  readonly #headerCache = new Map<string, JwsHeader>()
  readonly #signedInputs = new WeakSet<AuthInput>()
  readonly #trustedProxies: TrustedProxies | undefined
  readonly #requireHttps: boolean
  readonly #logger: Logger
  /** Pending until the first revocation sync finished; requests wait for it once, at start-up. */
  #starting: Promise<void> | undefined
  #firstSync: Promise<void>
  readonly #challenge: ChallengeParams
  readonly #onEvent: AuthEventListener | undefined
  readonly #policies = new WeakMap<AuthPolicy, CompiledPolicy>()
  readonly #defaultPolicy: CompiledPolicy

  constructor(config: PortcullisConfig, options: AuthOptions) {
    this.config = config
    this.#onEvent = options.onEvent
    this.#logger = options.logger ?? silentLogger
    const onEvent = options.onEvent
    this.#redis = config.redis ? openRedis(config.redis, this.#logger) : undefined
    const store = this.#redis && new RedisStore(this.#redis.client, this.#redis.prefix)
    const sharedLayout = sharedTokenCacheLayout(config.redis?.tokenCache)
    this.#sharedTokens =
      this.#redis && store && sharedLayout
        ? new SharedTokenCache(
            // Mercury's key is its own, outside the Portcullis prefix.
            sharedLayout === 'mercury' ? new RedisStore(this.#redis.client, '') : store,
            config.tokenCache.ttlSec * 1000,
            sharedLayout,
          )
        : undefined
    this.#issuers = createTrustedIssuers({
      config,
      ...(store && { sharedStore: store }),
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
    this.#refusals = cache.enabled ? new RefusalCache(REFUSALS_REMEMBERED, REFUSAL_TTL_MS) : undefined
    this.#revocations = this.#redis
      ? this.#createRedisRevocations(this.#redis)
      : new InProcessRevocations((delta) => this.#onRevocationDelta(delta))
    this.revoke = withApiKeys(this.#revocations.revoke)
    const sharedStore = store ?? new MemoryStore()
    this.#projects = createProjectPath({
      config,
      store: sharedStore,
      redis: this.#redis,
      revocations: this.#revocations,
      logger: this.#logger,
      ...(options.resolveProject && { resolveProject: options.resolveProject }),
    })
    this.#signedRequests = createSignedRequestCheck(config, sharedStore)
    this.#allow = config.allow ? compileAllowRules(config.allow) : undefined
    this.#defaultProjectId = config.projects?.defaultProjectId
    this.#apiKeys = config.apiKeys && new ApiKeyAuthenticator(config.apiKeys, this.#revocations, store)
    const rateLimit = config.rateLimit
    this.#limiter = rateLimit.enabled
      ? new FailureLimiter(
          rateLimit,
          this.#logger,
          this.#redis && { client: this.#redis.client, prefix: this.#redis.prefix },
        )
      : undefined
    this.#trustedProxies = compileTrustedProxies(config.trustedProxies)
    this.#requireHttps = config.requireHttps ?? !['development', 'test'].includes(process.env.NODE_ENV ?? '')
    // Requests wait for the first sync, but never longer than one Redis command may take.
    const firstSync = this.#revocations.start().catch(() => {})
    this.#firstSync = firstSync
    const cap = new Promise<void>((resolve) =>
      setTimeout(resolve, config.redis?.commandTimeoutMs ?? 0).unref(),
    )
    this.#starting = Promise.race([firstSync, cap]).then(
      () => {
        this.#starting = undefined
      },
      (error: unknown) => {
        this.#starting = undefined
        this.#logger.warn(
          { error: (error as Error).message },
          'revocation sync could not start; the failure policy applies',
        )
      },
    )
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
    // `any` means a choice of credentials: with neither projects nor API keys configured there is none.
    const needsProjects =
      compiled.mode === 'project' ||
      compiled.mode === 'combined' ||
      (compiled.mode === 'any' && (compiled.accept?.has('project') || !this.#apiKeys))
    if (needsProjects && !this.#projects) {
      throw new ConfigError([
        {
          path: 'policy.mode',
          message: `"${compiled.mode}" needs project authentication: configure projects.signingSecret or mercury.baseUrl, and service`,
        },
      ])
    }
    if (compiled.accept?.has('apiKey') && !this.#apiKeys) {
      throw new ConfigError([
        { path: 'policy.accept', message: 'API keys are not configured (apiKeys.pepper)' },
      ])
    }
    if (compiled.accept && compiled.mode !== 'any') {
      throw new ConfigError([{ path: 'policy.accept', message: 'accept only narrows mode "any"' }])
    }
    if (compiled.issuers) {
      for (const issuer of compiled.issuers) {
        if (!this.#issuers.has(issuer))
          throw new ConfigError([{ path: 'policy.issuers', message: `${issuer} is not a configured issuer` }])
      }
    }
    return compiled
  }

  authenticate(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): Promise<AuthResult> {
    const outcome = this.authenticateNow(input, policy)
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome)
  }

  authenticateNow(input: AuthInput, policy?: AuthPolicy | CompiledPolicy): AuthResult | Promise<AuthResult> {
    let compiled: CompiledPolicy
    try {
      compiled = this.#resolvePolicy(policy)
    } catch (error) {
      return Promise.reject(error)
    }
    const started = this.#onEvent ? performance.now() : 0
    try {
      // The client's address (behind a proxy: parsing and trust checks) only when it can decide something:
      // while someone is blocked, and to count a failure.
      const limiter = this.#limiter
      if (limiter?.isBlockingAnyone()) {
        const client = clientAddress(input, this.#trustedProxies)
        if (client !== undefined) limiter.assertAllowed(client, Date.now())
      }
      // Once per request object: adapters that authenticate one request several times (GraphQL fields,
      // subscription events) must not have their own second check refused as a replay.
      const signed = this.#signedRequests !== undefined && !this.#signedInputs.has(input)
      if (this.#starting || signed) return this.#authenticateLater(input, compiled, signed, started)
      // Nothing to await when nothing is pending (an L1 hit, a miss with the key held).
      const outcome = this.#authenticateMode(input, compiled)
      if (outcome instanceof Promise) {
        return outcome.then(
          (result) => this.#succeeded(compiled, result, started),
          (error: unknown) => this.#failed(input, compiled, error, started),
        )
      }
      return this.#succeeded(compiled, outcome, started)
    } catch (error) {
      return this.#failed(input, compiled, error, started)
    }
  }

  /** A request that must wait first: for the first revocation sync at start-up, or its signature check. */
  async #authenticateLater(
    input: AuthInput,
    compiled: CompiledPolicy,
    signed: boolean,
    started: number,
  ): Promise<AuthResult> {
    try {
      if (this.#starting) await this.#starting
      if (signed) {
        await this.#checkSignature(input)
        this.#signedInputs.add(input)
      }
      return this.#succeeded(compiled, await this.#authenticateMode(input, compiled), started)
    } catch (error) {
      return this.#failed(input, compiled, error, started)
    }
  }

  #succeeded(compiled: CompiledPolicy, result: AuthResult, started: number): AuthResult {
    if (this.#onEvent) this.#reportSuccess(compiled, result, started)
    return result
  }

  /** Every refusal ends here: counted against the client, reported, rejected as an `AuthError`. */
  async #failed(input: AuthInput, compiled: CompiledPolicy, error: unknown, started: number): Promise<never> {
    const authError = this.#toAuthError(error)
    const limiter = this.#limiter
    if (limiter?.counts(authError.code)) {
      const client = clientAddress(input, this.#trustedProxies)
      if (client !== undefined) await limiter.recordFailure(client)
    }
    this.#onEvent?.({
      type: 'auth.failure',
      mode: compiled.mode,
      code: authError.code,
      status: authError.status,
      durationMs: performance.now() - started,
    })
    throw authError
  }

  authorize(result: AuthResult, policy: AuthPolicy | CompiledPolicy): void {
    const compiled = this.#resolvePolicy(policy)
    try {
      const { user, claims = {}, project } = result
      if (compiled.issuers && user && (result.issuer === undefined || !compiled.issuers.has(result.issuer))) {
        throw new AuthError('token_issuer_unknown', { cause: because('issuer not accepted on this route') })
      }
      this.#authorizeParties(user, claims, project, compiled)
    } catch (error) {
      throw this.#toAuthError(error)
    }
  }

  protectedResourceMetadata(): ProtectedResourceMetadata | undefined {
    const resource = this.config.protectedResource
    return resource && buildProtectedResourceMetadata(resource, [...this.#issuers.keys()])
  }

  async ready(): Promise<void> {
    await Promise.all([...[...this.#issuers.values()].map((issuer) => issuer.keys.warm()), this.#firstSync])
  }

  async close(): Promise<void> {
    for (const issuer of this.#issuers.values()) issuer.keys.close()
    this.#projects?.close()
    this.#cache?.clear()
    this.#refusals?.clear()
    await this.#revocations.close()
    await this.#redis?.close()
  }

  /**
   * Which credentials the mode wants, which are present, and both checked where both count:
   * `jwt` and `project` need theirs; `combined` needs both; `any` takes whichever is present (both when both
   * are). `optional` lets a request with no credential at all through as anonymous. Hot path: a bearer token
   * alone is answered synchronously unless something must be awaited (a key, Redis).
   */
  #authenticateMode(input: AuthInput, policy: CompiledPolicy): AuthResult | Promise<AuthResult> {
    const mode = policy.mode
    const accept = policy.accept
    const bearer = extractBearer(input.headers, this.config.maxTokenBytes)
    const token = mode !== 'any' || !accept || accept.has('jwt') ? bearer : undefined
    const projectPresent =
      (mode !== 'any' || !accept || accept.has('project')) && (this.#projects?.present(input) ?? false)
    const apiKey =
      mode === 'any' && (!accept || accept.has('apiKey')) ? this.#apiKeys?.extract(input.headers) : undefined
    const anyCredential = token !== undefined || projectPresent || apiKey !== undefined
    if (this.#requireHttps && anyCredential && arrivedOverPlainHttp(input, this.#trustedProxies)) {
      throw new AuthError('invalid_request', {
        message: 'HTTPS is required.',
        cause: because('credentials sent over plain HTTP'),
      })
    }
    if (policy.optional && !anyCredential) return {}
    if (token !== undefined && apiKey !== undefined) {
      throw new AuthError('invalid_request', {
        cause: because('a bearer token and an API key: one user credential only'),
      })
    }
    const wantsUser = mode === 'jwt' || mode === 'combined' || (mode === 'any' && token !== undefined)
    const wantsProject = mode === 'project' || mode === 'combined' || (mode === 'any' && projectPresent)
    if (wantsUser && token === undefined) throw new AuthError('credentials_missing')
    if (!wantsUser && !wantsProject && apiKey === undefined) throw new AuthError('credentials_missing')

    const verified = wantsUser ? this.#verifiedUser(token as string, policy) : undefined
    if (apiKey === undefined && !wantsProject) {
      // A bearer token alone (wantsUser, since some credential is wanted).
      const user = verified as VerifiedToken | Promise<VerifiedToken>
      return user instanceof Promise
        ? user.then((v) => this.#userResult(v, policy))
        : this.#userResult(user, policy)
    }
    return this.#authenticateParties(input, policy, verified, apiKey, wantsProject)
  }

  /** A bearer token alone, verified: the route's rules, then the result. Hot path. */
  #userResult(verified: VerifiedToken, policy: CompiledPolicy): AuthResult {
    this.#authorizeParties(verified.user, verified.claims, undefined, policy)
    return { user: verified.user, claims: verified.claims, token: verified.token, issuer: verified.issuer }
  }

  /** Several credentials, an API key or project credentials: each checked in turn, then the rules for all. */
  async #authenticateParties(
    input: AuthInput,
    policy: CompiledPolicy,
    pendingUser: VerifiedToken | Promise<VerifiedToken> | undefined,
    apiKey: string | undefined,
    wantsProject: boolean,
  ): Promise<AuthResult> {
    const verified = await pendingUser
    const keyed =
      apiKey !== undefined
        ? await (this.#apiKeys as ApiKeyAuthenticator).authenticate(apiKey, Date.now())
        : undefined
    const project = wantsProject ? await (this.#projects as ProjectPath).authenticate(input) : undefined
    const user = verified?.user ?? keyed?.user
    this.#authorizeParties(user, verified?.claims ?? {}, project, policy)
    const result: AuthResult = {}
    if (verified) {
      result.user = verified.user
      result.claims = verified.claims
      result.token = verified.token
      result.issuer = verified.issuer
    }
    if (keyed) {
      result.user = keyed.user
      result.apiKey = keyed.identity
      result.issuer = API_KEY_ISSUER
    }
    if (project) result.project = project
    return result
  }

  /** Scopes, project kinds, project binding and allow rules for whichever parties authenticated. Hot path. */
  #authorizeParties(
    user: User | undefined,
    claims: Claims,
    project: ProjectIdentity | undefined,
    policy: CompiledPolicy,
  ): void {
    if (user && project) authorizeCombined(user, claims, project, policy, this.#allow)
    else if (user) authorizeUser(user, claims, policy, this.#allow)
    else if (project) authorizeProject(project, policy)
    else if (!policy.optional) throw new AuthError('credentials_missing')
  }

  /**
   * The bearer token: L1 hit, else the shared L2, else full verification; then what can change after
   * validation (the route's issuers, revocation). Hot path: synchronous on an L1 hit and on a miss whose key is
   * held, unless revocation must ask Redis.
   */
  #verifiedUser(token: string, policy: CompiledPolicy): VerifiedToken | Promise<VerifiedToken> {
    const now = Date.now()
    const cached = this.#cache?.get(token, now)
    if (this.#onEvent) this.#onEvent({ type: cached ? 'cache.hit' : 'cache.miss', cache: 'token' })
    if (cached !== undefined) return this.#stillValidHit(cached, policy, now)
    if (this.#sharedTokens) return this.#verifiedViaShared(this.#sharedTokens, token, policy, now)
    const verified = this.#verify(token, now)
    return verified instanceof Promise
      ? verified.then((v) => this.#stillValid(this.#remember(v, now), policy, now))
      : this.#stillValid(this.#remember(verified, now), policy, now)
  }

  /** An L1 miss with the shared Redis token cache: its entry, else full verification stored there too. */
  async #verifiedViaShared(
    shared: SharedTokenCache,
    token: string,
    policy: CompiledPolicy,
    now: number,
  ): Promise<VerifiedToken> {
    let verified = await shared.get(token, this.#issuers)
    if (verified === undefined) {
      verified = await this.#verify(token, now)
      await shared.set(verified, now)
    }
    return this.#stillValid(this.#remember(verified, now), policy, now)
  }

  /** A newly verified token into L1 (with the default project shown on Mercury user tokens that name none). */
  #remember(verified: VerifiedToken, now: number): VerifiedToken {
    // NEXUS_ID: the project of a Mercury user token that names none (shown, not enforced).
    if (
      this.#defaultProjectId &&
      verified.user.projectUuid === undefined &&
      verified.claims.project_uuid === undefined
    ) {
      verified.user.projectUuid = this.#defaultProjectId
    }
    this.#cache?.set(verified, now)
    return verified
  }

  /**
   * An L1 hit: `#stillValid`, except that a token found unrevoked since the revocation state last changed
   * (`revocationStamp`) skips the lookups, which read the claims and the subject. Hot path.
   */
  #stillValidHit(
    cached: CachedToken,
    policy: CompiledPolicy,
    now: number,
  ): VerifiedToken | Promise<VerifiedToken> {
    const stamp = revocationStamp()
    if (cached.unrevokedAt === stamp && this.#revocations.vouchesFromMemory(now)) {
      requireRouteIssuer(cached, policy)
      return cached
    }
    const outcome = this.#stillValid(cached, policy, now)
    // Settled without asking Redis (strict consistency answers with a promise): remembered.
    if (outcome === cached) cached.unrevokedAt = stamp
    return outcome
  }

  /** What can change after validation: the route's issuers, revocation. Hot path. */
  #stillValid(
    verified: VerifiedToken,
    policy: CompiledPolicy,
    now: number,
  ): VerifiedToken | Promise<VerifiedToken> {
    requireRouteIssuer(verified, policy)
    const { jti, iat } = verified.claims
    const pending = this.#revocations.checkToken(
      typeof jti === 'string' ? jti : undefined,
      verified.user.subject,
      typeof iat === 'number' ? iat : undefined,
      now,
    )
    return pending ? pending.then(() => verified) : verified
  }

  /**
   * Full verification. The JWS scan inside is stricter than RFC 6750's `b64token`, so the bearer syntax is
   * only checked again when verification refuses the token: a 400 for a malformed header stays a 400.
   * Synchronous while the key is held.
   */
  #verify(token: string, now: number): VerifiedToken | Promise<VerifiedToken> {
    // A token refused moments ago for a reason it cannot outgrow is refused again without the signature check.
    const refused = this.#refusals?.refusal(token, now)
    if (refused !== undefined) throw refused
    try {
      const verified = verifyToken(token, this.#issuers, this.#headerCache)
      return verified instanceof Promise ? verified.catch((error) => this.#refused(token, error)) : verified
    } catch (error) {
      return this.#refused(token, error)
    }
  }

  /** A verification refused: remembered when the token would be refused again, then answered. */
  #refused(token: string, error: unknown): never {
    this.#refusals?.remember(token, error, Date.now())
    return refusal(token, error)
  }

  /** Signed requests (when configured): the adapter must pass method and URL, else nothing can be vouched for. */
  async #checkSignature(input: AuthInput): Promise<void> {
    if (input.method === undefined || input.url === undefined) {
      throw new AuthError('auth_unavailable', {
        cause: because('signed requests need the method and URL from the adapter'),
      })
    }
    await (this.#signedRequests as SignedRequestVerifier)({
      method: input.method,
      url: input.url,
      headers: input.headers,
      ...(input.body !== undefined && { body: input.body }),
    })
  }

  #createRedisRevocations(redis: RedisConnection): RedisRevocations {
    const { redis: redisConfig, revocation } = this.config
    return new RedisRevocations(
      redis,
      {
        consistency: revocation.consistency,
        resyncIntervalMs: revocation.resyncIntervalSec * 1000,
        subjectRetentionMs: revocation.subjectRetentionSec * 1000,
        maxStaleMs: redisConfig?.maxStaleMs ?? 0,
        onRedisDown: redisConfig?.onRedisDown ?? 'closed',
        keyspaceEvents: redisConfig?.keyspaceEvents ?? 'auto',
        foreignJtiPrefixes: revocation.mercuryRevokedTokens ? ['revoked_token:'] : [],
        onDelta: (delta) => this.#onRevocationDelta(delta),
        onStateChange: (state, detail) => {
          const log = state === 'live' ? this.#logger.info : this.#logger.warn
          log.call(this.#logger, { state, ...detail }, `redis ${state}`)
          this.#onEvent?.({ type: 'redis.state', state })
        },
      },
      this.#logger,
    )
  }

  /** An undone project revocation (from any instance) also drops the refusals cached for that project. */
  #onRevocationDelta(delta: RevocationDelta): void {
    if (delta.kind === 'project' && !delta.revoked) this.#projects?.projectRestored(delta.id)
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

/** How many refused tokens an `Auth` remembers, and for how long (see `RefusalCache`). */
const REFUSALS_REMEMBERED = 1000
const REFUSAL_TTL_MS = 30_000

/** A token verification refused: a malformed bearer header is the 400 it always was, else the refusal itself. */
function refusal(token: string, error: unknown): never {
  assertBearerSyntax(token)
  throw error
}

/** A route that names its issuers accepts tokens of those only. Hot path. */
function requireRouteIssuer(verified: VerifiedToken, policy: CompiledPolicy): void {
  if (policy.issuers && !policy.issuers.has(verified.issuer)) {
    throw new AuthError('token_issuer_unknown', { cause: because('issuer not accepted on this route') })
  }
}
