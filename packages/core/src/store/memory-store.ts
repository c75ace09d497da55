import { LRUCache } from 'lru-cache'
import type { SharedStore } from './shared-store.js'

/** The embedded default: a bounded in-process map with per-entry TTLs. */
export class MemoryStore implements SharedStore {
  readonly shared = false
  readonly #entries: LRUCache<string, string>

  constructor(maxEntries = 100_000) {
    this.#entries = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false })
  }

  async get(key: string): Promise<string | undefined> {
    return this.#entries.get(key)
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) this.#entries.set(key, value, { ttl: ttlMs })
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#entries.has(key)) return false
    this.#entries.set(key, value, { ttl: ttlMs })
    return true
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key)
  }
}
