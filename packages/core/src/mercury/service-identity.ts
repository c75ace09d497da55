import { z } from 'zod'
import { AuthError } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'
import type { SharedStore } from '../store/shared-store.js'
import type { ServiceConfig } from './config.js'
import type { MercuryClient } from './mercury-client.js'

export interface ServiceIdentityOptions {
  /** `SERVICE_ID`: when set, nothing is discovered. */
  serviceId?: string
  /** `CLIENT_ID` / `CLIENT_SECRET`: discover the id from Mercury. */
  clientId?: string
  clientSecret?: string
  /** Needed for discovery. */
  client?: MercuryClient
  /** Shares the discovered id between instances (key `mercury:service-id:{clientId}`). */
  store?: SharedStore
  /** Default 'services:read'. */
  tokenScope?: string
  /** Default 55 min (capped by the token's `expires_in`). */
  tokenTtlMs?: number
  /** Default 24 h. */
  idTtlMs?: number
  /** Default 5 s. */
  failureCooldownMs?: number
  logger?: Logger
}

// Mercury's GraphQL operations, as its Go and PHP clients send them.
const GENERATE_SERVICE_TOKEN = `mutation GenerateServiceToken($input: ServiceTokenInput) {
  generateServiceToken(input: $input) { access_token scope token_type expires_in }
}`
const GET_REGISTERED_SERVICE = `mutation GetRegisteredServiceByClientId($input: GetRegisteredServiceByClientIdInput) {
  getRegisteredServiceByClientId(input: $input) { uuid }
}`

const tokenAnswer = z.object({
  generateServiceToken: z.object({
    access_token: z.string().min(1),
    expires_in: z.number().int().positive().optional(),
  }),
})
const serviceAnswer = z.object({
  getRegisteredServiceByClientId: z.object({ uuid: z.string().min(1).max(128) }),
})

/**
 * This service's id at Mercury (what a project's `enabledServices` lists). Configured, or discovered once
 * with client credentials (`generateServiceToken`, then `getRegisteredServiceByClientId`) and cached: the
 * token ~55 min, the id ~24 h. Concurrent callers share one discovery (single-flight); after a failure,
 * callers are refused for a short cooldown instead of calling Mercury again; an expired id whose refresh
 * fails keeps being used (service ids do not change).
 */
export class ServiceIdentity {
  readonly #options: ServiceIdentityOptions
  readonly #logger: Logger
  readonly #tokenTtlMs: number
  readonly #idTtlMs: number
  readonly #failureCooldownMs: number
  #id: string | undefined
  #idFreshUntil = 0
  #token: string | undefined
  #tokenFreshUntil = 0
  #inflight: Promise<string> | undefined
  #failedAt = Number.NEGATIVE_INFINITY

  constructor(options: ServiceIdentityOptions) {
    this.#options = options
    this.#logger = options.logger ?? silentLogger
    this.#tokenTtlMs = options.tokenTtlMs ?? 55 * 60_000
    this.#idTtlMs = options.idTtlMs ?? 24 * 3600_000
    this.#failureCooldownMs = options.failureCooldownMs ?? 5000
    if (options.serviceId === undefined) {
      if (!options.clientId || !options.clientSecret || !options.client) {
        throw new TypeError('ServiceIdentity needs serviceId, or clientId + clientSecret + a MercuryClient')
      }
    }
  }

  /** From the validated `service` section. */
  static fromConfig(
    config: ServiceConfig,
    extras: { client?: MercuryClient; store?: SharedStore; logger?: Logger } = {},
  ): ServiceIdentity {
    return new ServiceIdentity({
      ...(config.id !== undefined && { serviceId: config.id }),
      ...(config.clientId !== undefined && { clientId: config.clientId }),
      ...(config.clientSecret !== undefined && { clientSecret: config.clientSecret }),
      tokenScope: config.tokenScope,
      tokenTtlMs: config.tokenTtlSec * 1000,
      idTtlMs: config.idTtlSec * 1000,
      failureCooldownMs: config.failureCooldownSec * 1000,
      ...extras,
    })
  }

  /** The service id. Resolves at once from configuration or cache; at most one discovery runs at a time. */
  resolveServiceId(): Promise<string> {
    if (this.#options.serviceId !== undefined) return Promise.resolve(this.#options.serviceId)
    const now = Date.now()
    if (this.#id !== undefined && now < this.#idFreshUntil) return Promise.resolve(this.#id)
    if (this.#inflight) return this.#inflight
    if (now - this.#failedAt < this.#failureCooldownMs) {
      if (this.#id !== undefined) return Promise.resolve(this.#id)
      return Promise.reject(unavailable(new Error('service id discovery failed moments ago')))
    }
    this.#inflight = this.#discover().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  async #discover(): Promise<string> {
    const clientId = this.#options.clientId as string
    const storeKey = `mercury:service-id:${clientId}`
    try {
      const shared = await this.#options.store?.get(storeKey).catch(() => undefined)
      if (shared) return this.#remember(shared)
      const token = await this.#serviceToken()
      const data = await this.#client().graphql(
        GET_REGISTERED_SERVICE,
        { input: { client_id: clientId } },
        { 'x-project-token': `Bearer ${token}` },
      )
      const parsed = serviceAnswer.safeParse(data)
      if (!parsed.success) throw new Error('getRegisteredServiceByClientId answered an unexpected shape')
      const id = parsed.data.getRegisteredServiceByClientId.uuid
      await this.#options.store?.set(storeKey, id, this.#idTtlMs).catch(() => {})
      this.#logger.info({ clientId }, 'service id discovered from Mercury')
      return this.#remember(id)
    } catch (error) {
      this.#failedAt = Date.now()
      if (this.#id !== undefined) {
        this.#logger.warn(
          { clientId, reason: (error as Error).message },
          'service id refresh failed; keeping the old one',
        )
        return this.#id
      }
      this.#logger.error({ clientId, reason: (error as Error).message }, 'service id discovery failed')
      throw unavailable(error)
    }
  }

  async #serviceToken(): Promise<string> {
    if (this.#token !== undefined && Date.now() < this.#tokenFreshUntil) return this.#token
    const data = await this.#client().graphql(GENERATE_SERVICE_TOKEN, {
      input: {
        client_id: this.#options.clientId,
        client_secret: this.#options.clientSecret,
        scope: this.#options.tokenScope ?? 'services:read',
      },
    })
    const parsed = tokenAnswer.safeParse(data)
    if (!parsed.success) throw new Error('generateServiceToken answered an unexpected shape')
    const { access_token: token, expires_in: expiresIn } = parsed.data.generateServiceToken
    // Stop using the token a minute before Mercury would.
    const ttl =
      expiresIn === undefined ? this.#tokenTtlMs : Math.min(this.#tokenTtlMs, (expiresIn - 60) * 1000)
    this.#token = token
    this.#tokenFreshUntil = Date.now() + Math.max(0, ttl)
    return token
  }

  #remember(id: string): string {
    this.#id = id
    this.#idFreshUntil = Date.now() + this.#idTtlMs
    return id
  }

  #client(): MercuryClient {
    return this.#options.client as MercuryClient
  }
}

function unavailable(cause: unknown): AuthError {
  return new AuthError('auth_unavailable', { cause })
}
