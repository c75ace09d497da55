/** One change to the revocation state; the unit Redis pub/sub will carry between instances. */
export type RevocationDelta =
  | { kind: 'token'; id: string; until: number; revoked: boolean }
  | { kind: 'subject'; id: string; before: number; until: number; revoked: boolean }
  | { kind: 'project'; id: string; until: number; revoked: boolean }

/** Changes to any revocation view in this process so far: see `revocationStamp`. */
let changes = 0

/**
 * A number that moves whenever any revocation view in the process takes a change (a delta, a clear) and
 * whenever a view replaces another (a resync: `noteRevocationChange`). A token found unrevoked at one stamp is unrevoked still while
 * the stamp has not moved: L1 remembers that verdict and skips the lookups on later hits. Entries forgotten once
 * expired (the periodic sweep) do not move it: forgetting a revocation can only turn revoked into unrevoked, and
 * only "unrevoked" is ever remembered.
 */
export function revocationStamp(): number {
  return changes
}

/** Moves the stamp for a change made otherwise than through a view's `apply`: a new view put in place. */
export function noteRevocationChange(): void {
  changes++
}

/**
 * The in-process picture of what is revoked: token ids, subjects revoked before an instant, projects.
 * Every request consults it, cache hit or not, so it answers from memory. Times are epoch milliseconds;
 * an entry is forgotten once `until` passes (by then every token it covered has expired).
 */
export class RevocationView {
  readonly #tokens = new Map<string, number>()
  readonly #subjects = new Map<string, { before: number; until: number }>()
  readonly #projects = new Map<string, number>()
  #nextSweep = 0

  apply(delta: RevocationDelta): void {
    changes++
    switch (delta.kind) {
      case 'token':
        if (delta.revoked) this.#tokens.set(delta.id, delta.until)
        else this.#tokens.delete(delta.id)
        return
      case 'subject':
        if (delta.revoked) this.#subjects.set(delta.id, { before: delta.before, until: delta.until })
        else this.#subjects.delete(delta.id)
        return
      case 'project':
        if (delta.revoked) this.#projects.set(delta.id, delta.until)
        else this.#projects.delete(delta.id)
    }
  }

  /**
   * Whether a token is revoked by its id or by its subject's cut-off. A token with no `iat` cannot prove it
   * was issued after the cut-off, so it counts as revoked. Hot path.
   */
  isTokenRevoked(
    jti: string | undefined,
    subject: string,
    issuedAtSec: number | undefined,
    nowMs: number,
  ): boolean {
    this.sweepIfDue(nowMs)
    if (jti !== undefined && this.#tokens.has(jti)) return true
    // An empty map still hashes the key, and the subject string is one more cold line on an L1 hit.
    const cutoff = this.#subjects.size === 0 ? undefined : this.#subjects.get(subject)
    return cutoff !== undefined && (issuedAtSec === undefined || issuedAtSec * 1000 < cutoff.before)
  }

  /** The sweep below, when a second has passed since the last. */
  sweepIfDue(nowMs: number): void {
    if (nowMs >= this.#nextSweep) this.#sweep(nowMs)
  }

  isProjectRevoked(projectId: string): boolean {
    return this.#projects.has(projectId)
  }

  /** Every live entry, as the deltas that would recreate it (used to repair a Redis that lost its data). */
  *entries(nowMs: number): Generator<RevocationDelta> {
    for (const [id, until] of this.#tokens)
      if (until > nowMs) yield { kind: 'token', id, until, revoked: true }
    for (const [id, { before, until }] of this.#subjects) {
      if (until > nowMs) yield { kind: 'subject', id, before, until, revoked: true }
    }
    for (const [id, until] of this.#projects)
      if (until > nowMs) yield { kind: 'project', id, until, revoked: true }
  }

  clear(): void {
    changes++
    this.#tokens.clear()
    this.#subjects.clear()
    this.#projects.clear()
  }

  /** Drops expired entries at most once a second, so lookups stay O(1) and memory stays bounded. */
  #sweep(nowMs: number): void {
    this.#nextSweep = nowMs + 1000
    for (const [id, until] of this.#tokens) if (until <= nowMs) this.#tokens.delete(id)
    for (const [id, { until }] of this.#subjects) if (until <= nowMs) this.#subjects.delete(id)
    for (const [id, until] of this.#projects) if (until <= nowMs) this.#projects.delete(id)
  }
}
