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
 */
export class ProjectCache {
  readonly #options: ProjectCacheOptions
  readonly #local: LRUCache<string, CachedLookup>
  readonly #logger: Logger

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
    if (entry) {
      const ttl = this.#lifetime(entry, now)
      if (ttl > 0) this.#local.set(key, entry, { ttl })
    }
    return entry
  }

  async set(key: string, entry: CachedLookup, now = Date.now()): Promise<void> {
    const ttl = this.#lifetime(entry, now)
    if (ttl <= 0) return
    this.#local.set(key, entry, { ttl })
    const store = this.#options.store
    if (!store) return
    const value = JSON.stringify({
      o: entry.outcome,
      f: entry.freshUntil,
      ...(entry.record && { r: entry.record }),
    })
    await store.set(storeKey(key), value, ttl).catch((error: unknown) => {
      this.#logger.warn({ reason: (error as Error)?.message }, 'project cache: shared store not writable')
    })
  }

  /** A new entry for an outcome, fresh from `now`. */
  entry(outcome: LookupOutcome, record: ProjectRecord | undefined, now = Date.now()): CachedLookup {
    const ttl = outcome === 'ok' ? this.#options.ttlMs : this.#options.negativeTtlMs
    return { outcome, ...(record && { record }), freshUntil: now + ttl }
  }

  /** How long an entry is kept: positive ones past freshness for the stale window, refusals only while fresh. */
  #lifetime(entry: CachedLookup, now: number): number {
    const keepUntil =
      entry.outcome === 'ok' ? entry.freshUntil + this.#options.staleIfErrorMs : entry.freshUntil
    return Math.floor(keepUntil - now)
  }
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
