import type { KeyReader } from '../mercury/key-reader.js'
import type { HashReader } from '../projects/redis-hash-resolver.js'
import type { RedisClient } from './connection.js'

/**
 * Reads of keys other systems write (Mercury's `project_token:{id}`, project hashes), deliberately outside
 * the Portcullis prefix. Errors propagate so callers fail closed.
 */
export function redisKeyReader(client: RedisClient): KeyReader {
  return { get: async (key) => (await client.get(key)) ?? undefined }
}

export function redisHashReader(client: RedisClient): HashReader {
  return { hgetall: (key) => client.hgetall(key) }
}
