import type { SharedStore } from '../store/shared-store.js'
import type { RedisClient } from './connection.js'

/** `SharedStore` over Redis: one command per call, each touching one key (Cluster-safe). */
export class RedisStore implements SharedStore {
  readonly shared = true
  readonly #client: RedisClient
  readonly #prefix: string

  constructor(client: RedisClient, prefix: string) {
    this.#client = client
    this.#prefix = prefix
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#client.get(this.#prefix + key)) ?? undefined
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.#client.set(this.#prefix + key, value, 'PX', Math.ceil(ttlMs))
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.#client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK'
    )
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#prefix + key)
  }
}
