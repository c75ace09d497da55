import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { RedisConfig } from '../config/schema.js'
import type { Logger } from '../logger.js'

export type RedisClient = Redis | Cluster

/** The one command connection and one subscriber connection a process holds. */
export interface RedisConnection {
  readonly client: RedisClient
  readonly subscriber: RedisClient
  readonly prefix: string
  readonly isCluster: boolean
  /** Whether Portcullis created the client (and so must close it) or the user passed their own. */
  readonly owned: boolean
  close(): Promise<void>
}

// Fail fast rather than queue: a request must never wait on a Redis that is down; the failure policy decides.
const DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  connectTimeout: 2000,
  commandTimeout: 1000,
  // Capped low: recovery within a second of Redis returning matters more than sparing a down server.
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 500),
  lazyConnect: false,
}

/** Opens the connections for a `redis` config: URL, Sentinel, Cluster node list, or an existing client. */
export function openRedis(config: RedisConfig, logger: Logger): RedisConnection {
  const options: RedisOptions = { ...DEFAULTS, commandTimeout: config.commandTimeoutMs, ...config.options }
  let client: RedisClient
  let owned = true
  if (config.client) {
    client = config.client as RedisClient
    owned = false
  } else if (config.cluster) {
    client = new Cluster(config.cluster.nodes, { redisOptions: options, enableOfflineQueue: true })
  } else if (config.sentinel) {
    client = new Redis({ ...options, sentinels: config.sentinel.sentinels, name: config.sentinel.name })
  } else if (config.url) {
    client = new Redis(config.url, options)
  } else {
    client = new Redis(options)
  }
  const subscriber = client.duplicate()
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
  const onError = (role: string) => (error: Error) =>
    logger.debug({ role, error: error.message }, 'redis connection error')
  const onCommandError = onError('command')
  client.on('error', onCommandError)
  subscriber.on('error', onError('subscriber'))
  return {
    client,
    subscriber,
    prefix: config.keyPrefix,
    isCluster: client instanceof Cluster,
    owned,
    async close() {
      subscriber.disconnect()
      if (owned) await client.quit().catch(() => client.disconnect())
      else client.off('error', onCommandError)
    },
  }
}
