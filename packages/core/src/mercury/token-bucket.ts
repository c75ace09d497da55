/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. Bounds how often something costly (an upstream
 * fetch triggered by unauthenticated input) may happen, however fast requests arrive.
 */
export class TokenBucket {
  readonly #perSecond: number
  readonly #burst: number
  #tokens: number
  #refilledAt: number

  constructor(perSecond: number, burst: number) {
    this.#perSecond = perSecond
    this.#burst = burst
    this.#tokens = burst
    this.#refilledAt = Date.now()
  }

  /** Takes one token if there is one. */
  tryTake(now = Date.now()): boolean {
    this.#refill(now)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Seconds until the next token. */
  retryAfterSec(now = Date.now()): number {
    this.#refill(now)
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#perSecond
  }

  #refill(now: number): void {
    const elapsed = (now - this.#refilledAt) / 1000
    if (elapsed <= 0) return
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perSecond)
    this.#refilledAt = now
  }
}
