export type CircuitState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number
  /** How long the circuit stays open before one trial call is let through. */
  resetAfterMs: number
  onStateChange?: (state: CircuitState) => void
}

/**
 * Stops calling an upstream that keeps failing: after `failureThreshold` consecutive failures every call is
 * refused at once for `resetAfterMs`; then a single trial call is let through (half-open), and its outcome
 * closes or re-opens the circuit. Callers report outcomes: any answer that shows the upstream works (a 401 for bad
 * credentials included) is a success, so a client sending bad credentials can never open the circuit.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialInFlight = false

  constructor(options: CircuitBreakerOptions) {
    this.#options = options
  }

  get state(): CircuitState {
    if (this.#state === 'open' && Date.now() - this.#openedAt >= this.#options.resetAfterMs)
      return 'half-open'
    return this.#state
  }

  /** Whether a call may go out now; in half-open state only the first caller gets true. */
  tryAcquire(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.#trialInFlight) return false
    this.#setState('half-open')
    this.#trialInFlight = true
    return true
  }

  /** Milliseconds until a trial call may go out (0 when calls may go out now). */
  retryAfterMs(): number {
    if (this.#state !== 'open') return 0
    return Math.max(0, this.#options.resetAfterMs - (Date.now() - this.#openedAt))
  }

  recordSuccess(): void {
    this.#trialInFlight = false
    this.#failures = 0
    if (this.#state !== 'closed') this.#setState('closed')
  }

  recordFailure(): void {
    this.#trialInFlight = false
    this.#failures++
    if (this.#state === 'half-open' || this.#failures >= this.#options.failureThreshold) {
      this.#openedAt = Date.now()
      this.#setState('open')
    }
  }

  #setState(state: CircuitState): void {
    if (this.#state === state) return
    this.#state = state
    this.#options.onStateChange?.(state)
  }
}
