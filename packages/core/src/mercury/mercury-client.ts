import { type Logger, silentLogger } from '../logger.js'
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js'
import type { MercuryConfig } from './config.js'
import {
  type MercuryRequest,
  type MercuryResponse,
  MercuryUnavailableError,
  signedMercuryFetch,
} from './signed-fetch.js'

export interface MercuryClientOptions {
  baseUrl: string
  /** `SIGNATURE_SHARED_SECRET`: keys the `X-Signature` HMAC of every call. */
  signingSecret: string
  /** Per attempt. Default 3000. */
  timeoutMs?: number
  /** Default 1. */
  retries?: number
  /** Default 100. */
  retryBackoffMs?: number
  /** Default 64 KiB. */
  maxResponseBytes?: number
  /** Default { failureThreshold: 5, resetAfterMs: 30000 }. */
  circuitBreaker?: { failureThreshold: number; resetAfterMs: number }
  logger?: Logger
}

/**
 * One process's link to Mercury: the base URL, the signing secret and one circuit breaker shared by every
 * call (project lookups, service discovery), so an outage seen by one stops all of them.
 */
export class MercuryClient {
  readonly baseUrl: string
  readonly #options: Required<Omit<MercuryClientOptions, 'logger' | 'circuitBreaker'>>
  readonly #breaker: CircuitBreaker
  readonly #logger: Logger

  constructor(options: MercuryClientOptions) {
    if (!options.signingSecret) throw new TypeError('MercuryClient needs the signing secret')
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#logger = options.logger ?? silentLogger
    this.#options = {
      baseUrl: this.baseUrl,
      signingSecret: options.signingSecret,
      timeoutMs: options.timeoutMs ?? 3000,
      retries: options.retries ?? 1,
      retryBackoffMs: options.retryBackoffMs ?? 100,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    }
    const logger = this.#logger
    this.#breaker = new CircuitBreaker({
      ...(options.circuitBreaker ?? { failureThreshold: 5, resetAfterMs: 30_000 }),
      onStateChange: (state) => {
        if (state === 'open')
          logger.warn({ circuit: state }, 'Mercury circuit open: calls refused until a trial')
        else logger.info({ circuit: state }, `Mercury circuit ${state}`)
      },
    })
  }

  /** From the validated `mercury` section; throws when `baseUrl` is missing. */
  static fromConfig(config: MercuryConfig, signingSecret: string, logger?: Logger): MercuryClient {
    if (!config.baseUrl) throw new TypeError('mercury.baseUrl (MERCURY_BASE_URL) is required')
    return new MercuryClient({
      baseUrl: config.baseUrl,
      signingSecret,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      retryBackoffMs: config.retryBackoffMs,
      maxResponseBytes: config.maxResponseBytes,
      circuitBreaker: config.circuitBreaker,
      ...(logger && { logger }),
    })
  }

  get circuitState(): CircuitState {
    return this.#breaker.state
  }

  /** A signed call; see `signedMercuryFetch`. An answer refusing our signature counts against the circuit. */
  request(request: MercuryRequest): Promise<MercuryResponse> {
    return signedMercuryFetch(request, {
      ...this.#options,
      breaker: this.#breaker,
      isFailure: isSignatureRefusal,
    })
  }

  /**
   * A GraphQL operation at `POST {base}/graphql`, signed like every call. Resolves with `data`; rejects with
   * `MercuryUnavailableError` for a refused signature, a non-200 answer or GraphQL `errors`.
   */
  async graphql(
    query: string,
    variables: Record<string, unknown>,
    headers?: Readonly<Record<string, string>>,
  ): Promise<Record<string, unknown>> {
    const response = await this.request({
      method: 'POST',
      path: '/graphql',
      json: { query, variables },
      ...(headers && { headers }),
    })
    if (isSignatureRefusal(response)) {
      throw new MercuryUnavailableError(
        'signature_refused',
        'Mercury refused our request signature',
        response.status,
      )
    }
    const body = response.body as { data?: unknown; errors?: { message?: unknown }[] } | undefined
    if (response.status !== 200 || body === null || typeof body !== 'object') {
      throw new MercuryUnavailableError(
        'invalid_response',
        `/graphql answered ${response.status}`,
        response.status,
      )
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const messages = body.errors.map((error) => String(error?.message ?? 'error')).join('; ')
      throw new MercuryUnavailableError('invalid_response', `/graphql errors: ${messages.slice(0, 300)}`, 200)
    }
    if (body.data === null || typeof body.data !== 'object') {
      throw new MercuryUnavailableError('invalid_response', '/graphql sent no data', 200)
    }
    return body.data as Record<string, unknown>
  }
}

/**
 * Whether Mercury refused the call itself rather than the credentials in it: a 401/403 whose message is about
 * the signature or timestamp. That is our misconfiguration (wrong shared secret, clock skew), never the client's.
 */
export function isSignatureRefusal(response: MercuryResponse): boolean {
  if (response.status !== 401 && response.status !== 403) return false
  return /signature|timestamp/i.test(messageOf(response.body))
}

/** The human-readable part of an error body (`message`, `error`, `error_description`), for classification only. */
export function messageOf(body: unknown): string {
  if (typeof body === 'string') return body
  if (body === null || typeof body !== 'object') return ''
  const record = body as Record<string, unknown>
  return [record.message, record.error, record.error_description, record.code]
    .filter((value) => typeof value === 'string')
    .join(' ')
}
