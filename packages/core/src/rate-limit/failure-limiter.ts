import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { AuthError, type AuthErrorCode } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RedisClient } from '../redis/connection.js'

export interface FailureLimiterOptions {
  /** Failed attempts allowed per client within `windowSec`. */
  failures: number
  windowSec: number
  /** How long a client that went over is refused (429) before any further checking. */
  blockSec: number
}

/**
 * Failures that only a bad or hostile client causes. Expired or missing credentials are everyday traffic
 * (a client refreshing late) and must not lock out everyone behind one NAT address.
 */
const COUNTED: ReadonlySet<AuthErrorCode> = new Set<AuthErrorCode>([
  'invalid_request',
  'token_malformed',
  'token_too_large',
  'token_unsupported',
  'token_issuer_unknown',
  'token_algorithm_not_allowed',
  'token_key_unknown',
  'token_signature_invalid',
  'token_audience_invalid',
  'token_claims_invalid',
  'token_type_invalid',
  'project_credentials_invalid',
  'request_signature_invalid',
  'api_key_invalid',
])

/**
 * Limits failed authentication per client. Counting lives in Redis (shared by every instance, with an
 * in-memory insurance limiter while Redis is down) or in memory; the verdict "this client is blocked" is kept
 * in process too, so a good request costs no round trip and a blocked one is refused before any parsing.
 */
export class FailureLimiter {
  readonly #limiter: RateLimiterRedis | RateLimiterMemory
  readonly #blockedUntil = new Map<string, number>()
  /** When the last block now known ends: past it, nobody is blocked. */
  #lastBlockEnds = 0
  readonly #logger: Logger

  constructor(
    options: FailureLimiterOptions,
    logger: Logger,
    redis?: { client: RedisClient; prefix: string },
  ) {
    this.#logger = logger
    const limits = { points: options.failures, duration: options.windowSec, blockDuration: options.blockSec }
    this.#limiter = redis
      ? new RateLimiterRedis({
          ...limits,
          storeClient: redis.client,
          keyPrefix: `${redis.prefix}failures`,
          insuranceLimiter: new RateLimiterMemory({ ...limits, keyPrefix: 'failures-insurance' }),
        })
      : new RateLimiterMemory({ ...limits, keyPrefix: 'failures' })
  }

  /**
   * Whether any client may be blocked now. While none is, a request need not work out its client address at
   * all (behind a proxy that is parsing and trust checks). Memory only. Hot path.
   */
  isBlockingAnyone(): boolean {
    if (this.#blockedUntil.size === 0) return false
    if (Date.now() < this.#lastBlockEnds) return true
    this.#blockedUntil.clear()
    return false
  }

  /** Throws 429 while `client` is blocked. Memory only. Hot path. */
  assertAllowed(client: string, nowMs: number): void {
    const until = this.#blockedUntil.get(client)
    if (until === undefined) return
    if (until > nowMs) throw new AuthError('rate_limited', { retryAfterSec: (until - nowMs) / 1000 })
    this.#blockedUntil.delete(client)
  }

  counts(code: AuthErrorCode): boolean {
    return COUNTED.has(code)
  }

  /** Records one failure; from the one that goes over the limit on, the client is blocked. */
  async recordFailure(client: string): Promise<void> {
    try {
      await this.#limiter.consume(client)
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const until = Date.now() + rejection.msBeforeNext
        this.#blockedUntil.set(client, until)
        if (until > this.#lastBlockEnds) this.#lastBlockEnds = until
        if (this.#blockedUntil.size > 100_000) this.#sweep()
      } else {
        this.#logger.warn({ error: (rejection as Error)?.message }, 'failure counting unavailable')
      }
    }
  }

  #sweep(): void {
    const now = Date.now()
    for (const [client, until] of this.#blockedUntil) if (until <= now) this.#blockedUntil.delete(client)
  }
}
