import type { PortcullisConfig } from '@portcullis/core'
import type { Cluster, Redis, RedisOptions } from 'ioredis'
import { CliError } from '../cli-error.js'

export type RedisConfig = NonNullable<PortcullisConfig['redis']>
export type RedisClient = Redis | Cluster

/**
 * A short-lived connection from the config's `redis` section (URL, Sentinel or Cluster, with its `options`),
 * for the CLI's own reads and writes. It does not retry: a Redis that does not answer is exit 4 at once.
 */
export async function openRedis(config: RedisConfig): Promise<RedisClient> {
  const { Cluster, Redis } = await import('ioredis')
  const options: RedisOptions = {
    connectTimeout: 5000,
    commandTimeout: Math.max(config.commandTimeoutMs, 5000),
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
    ...config.options,
  }
  const client: RedisClient = config.cluster
    ? new Cluster(config.cluster.nodes, {
        redisOptions: options,
        lazyConnect: true,
        clusterRetryStrategy: () => null,
      })
    : config.sentinel
      ? new Redis({ ...options, sentinels: config.sentinel.sentinels, name: config.sentinel.name })
      : config.url
        ? new Redis(config.url, options)
        : new Redis(options)
  // ioredis emits 'error' on failed connects; without a listener Node would crash the process.
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    client.disconnect()
    throw CliError.unavailable('redis_unavailable', `cannot reach Redis: ${(error as Error).message}`)
  }
  return client
}

export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect())
}

/** Runs `work` against Redis, mapping connection failures on the way to exit 4. */
export async function withRedis<T>(
  config: RedisConfig,
  work: (client: RedisClient) => Promise<T>,
): Promise<T> {
  const client = await openRedis(config)
  try {
    return await work(client)
  } catch (error) {
    if (error instanceof CliError) throw error
    const message = (error as Error).message
    if (/connection|timed? ?out|ECONN|closed/i.test(message)) {
      throw CliError.unavailable('redis_unavailable', `Redis failed: ${message}`)
    }
    throw error
  } finally {
    await closeRedis(client)
  }
}
