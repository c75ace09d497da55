/**
 * The small key-value surface the shared tiers need (L2 caches, locks, replay memory). Backed by Redis when
 * configured, else by process memory, so every feature behaves the same on a single instance without Redis.
 * Keys passed in are relative: the store adds the configured prefix. Values are strings.
 */
export interface SharedStore {
  /** True when backed by a store other processes see (Redis). */
  readonly shared: boolean
  get(key: string): Promise<string | undefined>
  set(key: string, value: string, ttlMs: number): Promise<void>
  /** Sets only when absent (a lock, a replay marker); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>
  delete(key: string): Promise<void>
}
