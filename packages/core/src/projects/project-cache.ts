import { LRUCache } from 'lru-cache'
import { type Logger, silentLogger } from '../logger.js'
import type { SharedStore } from '../store/shared-store.js'
import type { ProjectRecord } from './project.js'
import { toProjectRecord } from './project-record.js'

/** What a lookup concluded: a project, or why not (each refusal is remembered briefly). */
export type LookupOutcome = 'ok' | 'invalid' | 'revoked' | 'forbidden'

export interface CachedLookup {
  outcome: LookupOutcome
  record?: ProjectRecord
  /** For `revoked`: the disabled project, when the resolver named it (a record with `enabled: false`). */
  projectUuid?: string
  /** Epoch ms until which the entry is used without asking again; past it, a positive one may serve stale. */
  freshUntil: number
}

export interface ProjectCacheOptions {
  store?: SharedStore
  ttlMs: number
  negativeTtlMs: number
  staleIfErrorMs: number
  maxEntries: number
  logger?: Logger
}

const OUTCOMES: ReadonlySet<string> = new Set<LookupOutcome>(['ok', 'invalid', 'revoked', 'forbidden'])

/**
 * Lookups by `{appId}:{secret HMAC}:{serviceId}`: in process (LRU) and in the shared store (key
 * `projects:cred:...`), positive ones for `ttlMs` (+ `staleIfErrorMs` for outages), refusals for
 * `negativeTtlMs`. Neither the key nor the value ever holds the secret.
 *
 * A disabled project (`revoked`, including a record with `enabled: false`) is remembered briefly and in process
 * only, so that `projectRestored` (an undone project revocation, heard on every instance) can drop it at once:
 * no stale refusal waits in the shared store for an instance that did not hear the undo.
 */
export class ProjectCache {
  readonly #options: ProjectCacheOptions
  readonly #local: LRUCache<string, CachedLookup>
  readonly #logger: Logger
  /** Bumped by each restore: a lookup that straddles one must not cache the refusal it read before it. */
  #restores = 0

  constructor(options: ProjectCacheOptions) {
    this.#options = options
    this.#logger = options.logger ?? silentLogger
    this.#local = new LRUCache<string, CachedLookup>({ max: options.maxEntries })
  }

  /** The in-process entry, fresh or stale. Hot path. */
  getLocal(key: string): CachedLookup | undefined {
    return this.#local.get(key)
  }

  /** The shared entry, copied into the process; a store error is a miss (logged). */
  async getShared(key: string, now = Date.now()): Promise<CachedLookup | undefined> {
    const store = this.#options.store
    if (!store) return undefined
    let raw: string | undefined
    try {
      raw = await store.get(storeKey(key))
    } catch (error) {
      this.#logger.warn({ reason: (error as Error)?.message }, 'project cache: shared store unreadable')
      return undefined
    }
    const entry = raw === undefined ? undefined : decode(raw)
    // Written by an older version: refusals for a disabled project are never taken from the shared store.
    if (entry && isDisabledProject(entry)) return undefined
    if (entry) {
      const ttl = this.#lifetime(entry, now)
      if (ttl > 0) this.#local.set(key, entry, { ttl })
    }
    return entry
  }

  /** `restores` is `restoreCount` from before the lookup: a disabled project read before a restore is not kept. */
  async set(key: string, entry: CachedLookup, now = Date.now(), restores = this.#restores): Promise<void> {
    const ttl = this.#lifetime(entry, now)
    if (ttl <= 0) return
    const disabled = isDisabledProject(entry)
    if (disabled && restores !== this.#restores) return
    this.#local.set(key, entry, { ttl })
    const store = this.#options.store
    if (!store || disabled) return
    const value = JSON.stringify({
      o: entry.outcome,
      f: entry.freshUntil,
      ...(entry.record && { r: entry.record }),
    })
    await store.set(storeKey(key), value, ttl).catch((error: unknown) => {
      this.#logger.warn({ reason: (error as Error)?.message }, 'project cache: shared store not writable')
    })
  }

  /** A new entry for an outcome, fresh from `now`. A disabled record is a refusal (`revoked`), kept briefly. */
  entry(outcome: LookupOutcome, record: ProjectRecord | undefined, now = Date.now()): CachedLookup {
    if (outcome === 'ok' && record && !record.enabled) {
      return {
        outcome: 'revoked',
        projectUuid: record.projectUuid,
        freshUntil: now + this.#options.negativeTtlMs,
      }
    }
    const ttl = outcome === 'ok' ? this.#options.ttlMs : this.#options.negativeTtlMs
    return { outcome, ...(record && { record }), freshUntil: now + ttl }
  }

  /** How many restores this cache has heard; pass the value read before a lookup to `set`. */
  get restoreCount(): number {
    return this.#restores
  }

  /**
   * The project's revocation was undone: forget that it was disabled. Refusals that name no project (Mercury
   * answered "disabled" for an app id) are dropped too, as they may be this project's; each costs one lookup.
   */
  projectRestored(projectUuid: string): void {
    this.#restores++
    const forget: string[] = []
    for (const [key, entry] of this.#local.entries()) {
      if (entry.outcome === 'revoked' && (entry.projectUuid ?? projectUuid) === projectUuid) forget.push(key)
    }
    for (const key of forget) this.#local.delete(key)
  }

  /** How long an entry is kept: positive ones past freshness for the stale window, refusals only while fresh. */
  #lifetime(entry: CachedLookup, now: number): number {
    const keepUntil =
      entry.outcome === 'ok' ? entry.freshUntil + this.#options.staleIfErrorMs : entry.freshUntil
    return Math.floor(keepUntil - now)
  }
}

function isDisabledProject(entry: CachedLookup): boolean {
  return entry.outcome === 'revoked' || (entry.outcome === 'ok' && entry.record?.enabled === false)
}

function storeKey(key: string): string {
  return `projects:cred:${key}`
}

function decode(raw: string): CachedLookup | undefined {
  try {
    const value = JSON.parse(raw) as { o?: unknown; f?: unknown; r?: unknown }
    if (typeof value.o !== 'string' || !OUTCOMES.has(value.o) || typeof value.f !== 'number') return undefined
    const outcome = value.o as LookupOutcome
    if (outcome !== 'ok') return { outcome, freshUntil: value.f }
    return { outcome, record: toProjectRecord(value.r), freshUntil: value.f }
  } catch {
    return undefined
  }
}
