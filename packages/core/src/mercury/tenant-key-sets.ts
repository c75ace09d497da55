import { LRUCache } from 'lru-cache'
import { AuthError, because } from '../errors.js'
import type { JwsAlgorithm } from '../jwt/algorithms.js'
import { FetchError } from '../keys/fetch-json.js'
import { type KeySetFetchEvent, RemoteKeySource } from '../keys/remote-key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { type Logger, silentLogger } from '../logger.js'
import type { SharedStore } from '../store/shared-store.js'
import type { TenantKeySetsConfig } from './config.js'
import { TokenBucket } from './token-bucket.js'

export interface TenantKeySetsOptions {
  /** `MERCURY_BASE_URL`. */
  baseUrl: string
  /** Default 1000. */
  maxTenants?: number
  /** Default 10 per second, burst 10. */
  newTenantFetchesPerSec?: number
  newTenantBurst?: number
  /** Default 5 min. */
  unknownTenantTtlMs?: number
  /** Default 10,000. */
  maxUnknownTenants?: number
  /** Key set freshness and fetch limits, as for issuers. Defaults 10 min, 30 s, 6 h, 5 s, 512 KiB. */
  ttlMs?: number
  cooldownMs?: number
  staleIfErrorMs?: number
  timeoutMs?: number
  maxBytes?: number
  /** Shares the unknown-tenant memory between instances (key `mercury:tenant-unknown:{tenant}`). */
  store?: SharedStore
  logger?: Logger
  onFetch?: (event: KeySetFetchEvent) => void
}

/** Mercury tenants are project UUIDs; anything else never reaches a URL. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value)
}

/**
 * Mercury's signing keys: one key set per tenant at `{base}/auth/projects/{tenant}/.well-known/jwks.json`
 * and one for services at `{base}/auth/service/.well-known/jwks.json`, each a `RemoteKeySource` (TTL,
 * stale-while-revalidate, kid-miss refresh with cooldown).
 *
 * The tenant comes from a claim read before the signature is checked, so anyone can name any tenant. Hence:
 * only UUID-shaped tenants are looked up (and still URL-encoded); at most `maxTenants` key sets are held
 * (LRU); a tenant whose key set answers 404 is refused without fetching for `unknownTenantTtlMs`; and key
 * sets for tenants not held yet are fetched at most `newTenantFetchesPerSec` (token bucket). A flood of
 * made-up tenants costs a bounded number of fetches and evicts nothing that works.
 */
export class TenantKeySets {
  readonly #options: TenantKeySetsOptions
  readonly #baseUrl: string
  readonly #tenants: LRUCache<string, RemoteKeySource>
  readonly #unknown: LRUCache<string, true>
  readonly #newTenantFetches: TokenBucket
  readonly #service: RemoteKeySource
  readonly #logger: Logger

  constructor(options: TenantKeySetsOptions) {
    this.#options = options
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#logger = options.logger ?? silentLogger
    this.#tenants = new LRUCache<string, RemoteKeySource>({
      max: options.maxTenants ?? 1000,
      dispose: (source) => source.close(),
    })
    this.#unknown = new LRUCache<string, true>({
      max: options.maxUnknownTenants ?? 10_000,
      ttl: this.#unknownTtlMs(),
    })
    this.#newTenantFetches = new TokenBucket(
      options.newTenantFetchesPerSec ?? 10,
      options.newTenantBurst ?? options.newTenantFetchesPerSec ?? 10,
    )
    this.#service = this.#source('mercury:service', `${this.#baseUrl}/auth/service/.well-known/jwks.json`)
  }

  static fromConfig(
    baseUrl: string,
    config: TenantKeySetsConfig,
    extras: { store?: SharedStore; logger?: Logger; onFetch?: (event: KeySetFetchEvent) => void } = {},
  ): TenantKeySets {
    return new TenantKeySets({
      baseUrl,
      maxTenants: config.maxTenants,
      newTenantFetchesPerSec: config.newTenantFetchesPerSec,
      newTenantBurst: config.newTenantBurst,
      unknownTenantTtlMs: config.unknownTenantTtlSec * 1000,
      maxUnknownTenants: config.maxUnknownTenants,
      ttlMs: config.ttlSec * 1000,
      cooldownMs: config.cooldownSec * 1000,
      staleIfErrorMs: config.staleIfErrorSec * 1000,
      timeoutMs: config.timeoutMs,
      maxBytes: config.maxBytes,
      ...extras,
    })
  }

  /** How many tenant key sets are held now. */
  get heldTenants(): number {
    return this.#tenants.size
  }

  /**
   * The key for a token of `tenant` (project, platform or Mercury user tokens). Throws `AuthError`:
   * `token_claims_invalid` for a tenant that is not a UUID, `token_issuer_unknown` for a tenant Mercury does
   * not know, `issuer_unavailable` when the key set cannot be had now (fetch budget spent, Mercury down).
   */
  async resolveTenantKey(
    tenant: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): Promise<VerificationKey> {
    if (!isTenantId(tenant)) {
      throw new AuthError('token_claims_invalid', { cause: because('the tenant claim is not a UUID') })
    }
    if (this.#unknown.has(tenant)) throw unknownTenant()
    let source = this.#tenants.get(tenant)
    if (source === undefined) {
      const store = this.#options.store
      if (store && (await store.get(unknownKey(tenant)).catch(() => undefined)) !== undefined) {
        this.#unknown.set(tenant, true)
        throw unknownTenant()
      }
      source = this.#tenants.get(tenant)
      if (source === undefined) {
        if (!this.#newTenantFetches.tryTake()) {
          throw new AuthError('issuer_unavailable', {
            retryAfterSec: this.#newTenantFetches.retryAfterSec(),
            cause: because('new-tenant key set fetch budget spent'),
          })
        }
        const url = `${this.#baseUrl}/auth/projects/${encodeURIComponent(tenant)}/.well-known/jwks.json`
        source = this.#source(`mercury:tenant:${tenant}`, url, tenant)
        this.#tenants.set(tenant, source)
      }
    }
    try {
      return await source.resolveSigningKey(kid, alg)
    } catch (error) {
      if (this.#unknown.has(tenant)) {
        this.#tenants.delete(tenant)
        throw unknownTenant()
      }
      throw error
    }
  }

  /** The key for a service token. */
  async resolveServiceKey(kid: string | undefined, alg: JwsAlgorithm): Promise<VerificationKey> {
    return this.#service.resolveSigningKey(kid, alg)
  }

  close(): void {
    this.#service.close()
    this.#tenants.clear()
    this.#unknown.clear()
  }

  #source(label: string, jwksUri: string, tenant?: string): RemoteKeySource {
    const options = this.#options
    return new RemoteKeySource({
      issuer: label,
      jwksUri,
      discovery: false,
      ttlMs: options.ttlMs ?? 600_000,
      cooldownMs: options.cooldownMs ?? 30_000,
      staleIfErrorMs: options.staleIfErrorMs ?? 6 * 3600_000,
      timeoutMs: options.timeoutMs ?? 5000,
      maxBytes: options.maxBytes ?? 512 * 1024,
      onFetch: (event) => {
        if (
          tenant !== undefined &&
          !event.ok &&
          event.error instanceof FetchError &&
          event.error.status === 404
        ) {
          this.#markUnknown(tenant)
        }
        if (!event.ok)
          this.#logger.warn({ keySet: label, reason: event.error?.message }, 'Mercury key set fetch failed')
        options.onFetch?.(event)
      },
    })
  }

  #markUnknown(tenant: string): void {
    this.#unknown.set(tenant, true)
    this.#options.store?.set(unknownKey(tenant), '1', this.#unknownTtlMs()).catch(() => {})
  }

  #unknownTtlMs(): number {
    return this.#options.unknownTenantTtlMs ?? 300_000
  }
}

function unknownKey(tenant: string): string {
  return `mercury:tenant-unknown:${tenant.toLowerCase()}`
}

function unknownTenant(): AuthError {
  return new AuthError('token_issuer_unknown', { cause: because('Mercury does not know this tenant') })
}
