import { LRUCache } from 'lru-cache'

interface Window {
  startedAt: number
  failures: number
}

/**
 * Counts refused lookups per app id in fixed windows, in process and bounded (LRU). Once an app id reaches
 * `maxFailures` in a window, `retryAfterMs` is positive until the window ends: guessing one app's secret
 * then costs a window per `maxFailures` guesses, and none of them reaches the resolver.
 */
export class FailureLimiter {
  readonly #maxFailures: number
  readonly #windowMs: number
  readonly #windows: LRUCache<string, Window>

  constructor(maxFailures: number, windowMs: number, maxKeys = 10_000) {
    this.#maxFailures = maxFailures
    this.#windowMs = windowMs
    this.#windows = new LRUCache<string, Window>({ max: maxKeys, ttl: windowMs })
  }

  /** Milliseconds until `key` may be tried again; 0 when it may be tried now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const window = this.#windows.get(key)
    if (!window || window.failures < this.#maxFailures) return 0
    return Math.max(0, window.startedAt + this.#windowMs - now)
  }

  recordFailure(key: string, now = Date.now()): void {
    const window = this.#windows.get(key)
    if (!window || now - window.startedAt >= this.#windowMs) {
      this.#windows.set(key, { startedAt: now, failures: 1 })
    } else {
      window.failures++
    }
  }
}
