/**
 * Slows password guessing: after `limit` wrong passwords for one username within `windowMs`, that username
 * is refused (429) until the window passes. In memory: the demo runs one issuer process.
 */
export class LoginBrake {
  readonly #failures = new Map<string, number[]>()

  constructor(
    readonly limit = 5,
    readonly windowMs = 60_000,
  ) {}

  /** Seconds until `username` may try again, or 0. */
  retryAfterSec(username: string, now = Date.now()): number {
    const recent = this.#recent(username, now)
    if (recent.length < this.limit) return 0
    return Math.ceil(((recent[0] as number) + this.windowMs - now) / 1000)
  }

  recordFailure(username: string, now = Date.now()): void {
    const recent = this.#recent(username, now)
    recent.push(now)
    this.#failures.set(username.toLowerCase(), recent)
  }

  reset(username: string): void {
    this.#failures.delete(username.toLowerCase())
  }

  #recent(username: string, now: number): number[] {
    return (this.#failures.get(username.toLowerCase()) ?? []).filter((at) => at > now - this.windowMs)
  }
}
