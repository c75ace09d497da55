import { AuthError, because, isAuthError } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'
import { TokenBucket } from '../mercury/token-bucket.js'
import type { HeaderBag } from '../request/input.js'
import type { SharedStore } from '../store/shared-store.js'
import type { ProjectsConfig } from './config.js'
import {
  DEFAULT_PROJECT_HEADERS,
  hasProjectCredentials,
  type ProjectCredentials,
  type ProjectHeaderNames,
  readProjectCredentials,
} from './credentials.js'
import { FailureLimiter } from './failure-limiter.js'
import type { ProjectPrincipal, ProjectRecord } from './project.js'
import { type CachedLookup, type LookupOutcome, ProjectCache } from './project-cache.js'
import type { ProjectResolver } from './resolver.js'
import { requireServiceEnabled } from './service-check.js'

export interface ProjectAuthenticatorOptions {
  /** `SIGNATURE_SHARED_SECRET`: keys the secret HMAC used for every comparison and cache key. */
  signingSecret: string
  /** Tried in order; the first that knows the app id and secret answers. */
  resolvers: readonly ProjectResolver[]
  /** L2 cache shared between instances (Redis); without it, in-process only. */
  store?: SharedStore
  headers?: Partial<ProjectHeaderNames>
  /** Defaults: 15 min, 30 s, 5 min, 10,000. */
  cache?: { ttlMs?: number; negativeTtlMs?: number; staleIfErrorMs?: number; maxEntries?: number }
  /** Defaults: 20 refusals per app id per 60 s; 50 resolver lookups/s, burst 100. */
  limits?: { maxFailuresPerAppId?: number; windowMs?: number; lookupsPerSec?: number; lookupBurst?: number }
  logger?: Logger
}

const REFUSALS: Partial<Record<string, LookupOutcome>> = {
  project_credentials_invalid: 'invalid',
  project_revoked: 'revoked',
  insufficient_scope: 'forbidden',
}

/**
 * App-credential authentication (`x-app-id` / `x-app-secret`). The secret is turned into its HMAC at once;
 * only the HMAC is compared (constant time), cached and used in keys. Lookups are cached in process and in
 * the shared store (positive 15 min, refusals 30 s), made once per key at a time (single-flight), and braked
 * per app id and globally, so brute force never reaches Mercury at line rate.
 *
 * Outcomes: unknown app id or wrong secret → 401 `project_credentials_invalid`; disabled project → 401
 * `project_revoked`; this service not in `enabledServices` (or a different `x-service-id`) → 403
 * `insufficient_scope`; resolvers unavailable → a cached project still passes (also up to `staleIfErrorMs`
 * past its TTL), anything else 503 `auth_unavailable` (never a pass, never a 500); braked → 429 `rate_limited`.
 */
export class ProjectAuthenticator {
  readonly #signingSecret: string
  readonly #resolvers: readonly ProjectResolver[]
  readonly #headers: ProjectHeaderNames
  readonly #cache: ProjectCache
  readonly #failures: FailureLimiter
  readonly #lookups: TokenBucket
  readonly #logger: Logger
  readonly #inflight = new Map<string, Promise<CachedLookup>>()

  constructor(options: ProjectAuthenticatorOptions) {
    if (!options.signingSecret) throw new TypeError('ProjectAuthenticator needs the signing secret')
    if (options.resolvers.length === 0)
      throw new TypeError('ProjectAuthenticator needs at least one resolver')
    this.#signingSecret = options.signingSecret
    this.#resolvers = options.resolvers
    this.#headers = { ...DEFAULT_PROJECT_HEADERS, ...options.headers }
    this.#logger = options.logger ?? silentLogger
    const cache = options.cache ?? {}
    this.#cache = new ProjectCache({
      ...(options.store && { store: options.store }),
      ttlMs: cache.ttlMs ?? 900_000,
      negativeTtlMs: cache.negativeTtlMs ?? 30_000,
      staleIfErrorMs: cache.staleIfErrorMs ?? 300_000,
      maxEntries: cache.maxEntries ?? 10_000,
      logger: this.#logger,
    })
    const limits = options.limits ?? {}
    this.#failures = new FailureLimiter(limits.maxFailuresPerAppId ?? 20, limits.windowMs ?? 60_000)
    this.#lookups = new TokenBucket(limits.lookupsPerSec ?? 50, limits.lookupBurst ?? 100)
  }

  /** From the validated `projects` section, with resolvers built by `createProjectResolvers`. */
  static fromConfig(
    config: ProjectsConfig,
    extras: { resolvers: readonly ProjectResolver[]; store?: SharedStore; logger?: Logger },
  ): ProjectAuthenticator {
    if (!config.signingSecret)
      throw new TypeError('projects.signingSecret (SIGNATURE_SHARED_SECRET) is required')
    return new ProjectAuthenticator({
      signingSecret: config.signingSecret,
      headers: config.headers,
      cache: {
        ttlMs: config.cache.ttlSec * 1000,
        negativeTtlMs: config.cache.negativeTtlSec * 1000,
        staleIfErrorMs: config.cache.staleIfErrorSec * 1000,
        maxEntries: config.cache.maxEntries,
      },
      limits: {
        maxFailuresPerAppId: config.limits.maxFailuresPerAppId,
        windowMs: config.limits.windowSec * 1000,
        lookupsPerSec: config.limits.lookupsPerSec,
        lookupBurst: config.limits.lookupBurst,
      },
      ...extras,
    })
  }

  /** Whether the request carries app credentials at all (mode `any`: the first credential present decides). */
  hasCredentials(headers: HeaderBag): boolean {
    return hasProjectCredentials(headers, this.#headers)
  }

  /**
   * Authenticates the app credentials in `headers` for this service (`serviceId`). Throws `AuthError`
   * (`credentials_missing` when there are none). Hot path: a cached project costs one HMAC and a map lookup.
   */
  async authenticate(headers: HeaderBag, serviceId: string): Promise<ProjectPrincipal> {
    const credentials = readProjectCredentials(headers, this.#signingSecret, this.#headers)
    if (!credentials) throw new AuthError('credentials_missing')
    if (credentials.serviceId !== undefined && credentials.serviceId !== serviceId) {
      throw new AuthError('insufficient_scope', { cause: because('x-service-id names another service') })
    }
    const key = `${credentials.appId}:${credentials.secretHash}:${serviceId}`
    const now = Date.now()
    let entry = this.#cache.getLocal(key)
    if (entry === undefined || entry.freshUntil <= now) {
      entry = (await this.#cache.getShared(key, now)) ?? entry
    }
    if (entry === undefined || entry.freshUntil <= now) {
      entry = await this.#lookupOnce(key, credentials, serviceId, entry)
    }
    return this.#decide(entry, credentials, serviceId)
  }

  /** One lookup per key at a time: concurrent requests with the same credentials share it. */
  #lookupOnce(
    key: string,
    credentials: ProjectCredentials,
    serviceId: string,
    stale: CachedLookup | undefined,
  ): Promise<CachedLookup> {
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#lookup(key, credentials, serviceId, stale).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return pending
  }

  async #lookup(
    key: string,
    credentials: ProjectCredentials,
    serviceId: string,
    stale: CachedLookup | undefined,
  ): Promise<CachedLookup> {
    const appId = credentials.appId
    const usableStale = stale?.outcome === 'ok' ? stale : undefined
    const lockedMs = this.#failures.retryAfterMs(appId)
    if (lockedMs > 0) {
      if (usableStale) return usableStale
      this.#logger.warn({ appId }, 'project lookups braked: too many refused attempts for this app id')
      throw new AuthError('rate_limited', {
        retryAfterSec: lockedMs / 1000,
        cause: because('app id braked'),
      })
    }
    if (!this.#lookups.tryTake()) {
      if (usableStale) return usableStale
      this.#logger.warn({ appId }, 'project lookups braked: resolver lookup budget spent')
      throw new AuthError('rate_limited', {
        retryAfterSec: this.#lookups.retryAfterSec(),
        cause: because('lookup budget spent'),
      })
    }

    let result: { outcome: LookupOutcome; record?: ProjectRecord; resolver?: string }
    const restores = this.#cache.restoreCount
    try {
      result = await this.#resolve(credentials, serviceId)
    } catch (error) {
      if (usableStale) {
        this.#logger.warn(
          { appId, reason: reasonOf(error) },
          'project resolvers unavailable; serving cached project',
        )
        return usableStale
      }
      this.#logger.error({ appId, reason: reasonOf(error) }, 'project resolvers unavailable')
      throw isAuthError(error) ? error : new AuthError('auth_unavailable', { cause: error })
    }
    // Only a wrong secret or unknown app id is a guess; a disabled project answered with its right secret is not.
    if (result.outcome === 'invalid') this.#failures.recordFailure(appId)
    this.#logger.debug({ appId, outcome: result.outcome, resolver: result.resolver }, 'project looked up')
    const entry = this.#cache.entry(result.outcome, result.record)
    await this.#cache.set(key, entry, Date.now(), restores)
    return entry
  }

  /** An undone project revocation: refusals remembered for the project are dropped (see `ProjectCache`). */
  projectRestored(projectUuid: string): void {
    this.#cache.projectRestored(projectUuid)
  }

  /** Asks each resolver in turn. Rejects only when no resolver knew and at least one could not answer. */
  async #resolve(
    credentials: ProjectCredentials,
    serviceId: string,
  ): Promise<{ outcome: LookupOutcome; record?: ProjectRecord; resolver?: string }> {
    let failure: unknown
    for (const resolver of this.#resolvers) {
      try {
        const record = await resolver.resolve(credentials, serviceId)
        if (record) return { outcome: 'ok', record: Object.freeze(record), resolver: resolver.name }
      } catch (error) {
        const refusal = isAuthError(error) ? REFUSALS[error.code] : undefined
        if (refusal) return { outcome: refusal, resolver: resolver.name }
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
    return { outcome: 'invalid' }
  }

  #decide(entry: CachedLookup, credentials: ProjectCredentials, serviceId: string): ProjectPrincipal {
    switch (entry.outcome) {
      case 'invalid':
        throw new AuthError('project_credentials_invalid', {
          cause: because('unknown app id or wrong secret'),
        })
      case 'revoked':
        throw new AuthError('project_revoked', { cause: because('the project is disabled') })
      case 'forbidden':
        throw new AuthError('insufficient_scope', { cause: because('service not enabled for the project') })
    }
    const record = entry.record as ProjectRecord
    if (!record.enabled) throw new AuthError('project_revoked', { cause: because('the project is disabled') })
    const identity: ProjectPrincipal = {
      tokenType: 'credentials',
      projectUuid: record.projectUuid,
      ...(record.projectName !== undefined && { projectName: record.projectName }),
      tenant: record.projectUuid,
      enabledServices: record.enabledServices,
      scopes: record.scopes,
      secretVersion: record.secretVersion,
      appId: credentials.appId,
    }
    requireServiceEnabled(identity, serviceId)
    return identity
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
