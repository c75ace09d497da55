import { type RedisServer, startRedisServer } from '@portcullis/testing'
import { Redis } from 'ioredis'
import { afterEach } from 'vitest'

const cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/** A private redis-server for this test, stopped afterwards. */
export async function redisForTest(args?: string[]): Promise<RedisServer> {
  const server = await startRedisServer(args ? { args } : {})
  cleanups.push(() => server.close())
  return server
}

/** A plain client, as an operator's redis-cli or Mercury would use. */
export function rawClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false })
  client.on('error', () => {})
  cleanups.push(() => client.disconnect())
  return client
}

/** Polls until `check` passes; resolves with the milliseconds it took. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`condition not met within ${ms} ms`)
}
