import { AuthError } from '../errors.js'
import { type RevocationDelta, RevocationView } from './revocation-view.js'
import { createInProcessRevoker, type RevocationStore } from './revoker.js'

/**
 * Answers "is this still allowed?" on every request, cache hit or not. Returns nothing when it may proceed,
 * throws `AuthError` when not, and returns a promise only where it must ask Redis (strict consistency).
 */
export interface RevocationChecker {
  readonly revoke: RevocationStore
  checkToken(
    jti: string | undefined,
    subject: string,
    issuedAtSec: number | undefined,
    nowMs: number,
  ): void | Promise<void>
  checkProject(projectId: string, nowMs: number): void | Promise<void>
  /**
   * Whether a token found unrevoked at the current `revocationStamp()` may be taken as unrevoked again without
   * the lookups: true when this checker answers from memory and that memory is current; false in strict
   * consistency (Redis is asked every time); throws `auth_unavailable` where `checkToken` would (a view gone
   * stale). Hot path.
   */
  vouchesFromMemory(nowMs: number): boolean
  start(): Promise<void>
  close(): Promise<void>
}

/** The embedded default: revocations live in this process. */
export class InProcessRevocations implements RevocationChecker {
  readonly #view = new RevocationView()
  readonly revoke: RevocationStore

  /** `onDelta` hears each change after the view took it (as `RedisRevocationOptions.onDelta`). */
  constructor(onDelta?: (delta: RevocationDelta) => void) {
    const view = this.#view
    this.revoke = createInProcessRevoker(
      onDelta
        ? {
            apply(delta) {
              view.apply(delta)
              onDelta(delta)
            },
          }
        : view,
    )
  }

  checkToken(jti: string | undefined, subject: string, issuedAtSec: number | undefined, nowMs: number): void {
    if (this.#view.isTokenRevoked(jti, subject, issuedAtSec, nowMs)) throw new AuthError('token_revoked')
  }

  checkProject(projectId: string): void {
    if (this.#view.isProjectRevoked(projectId)) throw new AuthError('project_revoked')
  }

  vouchesFromMemory(nowMs: number): boolean {
    this.#view.sweepIfDue(nowMs)
    return true
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#view.clear()
  }
}
