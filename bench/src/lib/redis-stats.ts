import { Redis } from 'ioredis'

/** A side connection for reading the server's own counters; its INFO calls are left out of every count. */
export class RedisStats {
  readonly #client: Redis

  constructor(url: string) {
    this.#client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })
  }

  /** Calls per command since the server started (INFO commandstats). */
  async commands(): Promise<Map<string, number>> {
    const text = await this.#client.info('commandstats')
    const counts = new Map<string, number>()
    for (const line of text.split('\n')) {
      const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim())
      if (match) counts.set(match[1] as string, Number(match[2]))
    }
    return counts
  }

  /** CPU seconds the Redis server has used (user + system). */
  async cpuSeconds(): Promise<number> {
    const text = await this.#client.info('cpu')
    const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(text)?.[1] ?? 0)
    return read('used_cpu_user') + read('used_cpu_sys')
  }

  get client(): Redis {
    return this.#client
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => {})
  }
}

/** Commands sent between two snapshots, without our own INFO calls; keys are command names. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>()
  for (const [name, calls] of after) {
    if (name === 'info') continue
    const diff = calls - (before.get(name) ?? 0)
    if (diff > 0) delta.set(name, diff)
  }
  return delta
}

export function totalOf(delta: Map<string, number>): number {
  let total = 0
  for (const calls of delta.values()) total += calls
  return total
}

export function describeDelta(delta: Map<string, number>): string {
  if (delta.size === 0) return 'none'
  return [...delta].map(([name, calls]) => `${name}×${calls}`).join(', ')
}
