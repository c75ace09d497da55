import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { startRedisCluster, startRedisServer } from '../src/index.js'

const run = promisify(execFile)
const ping = (port: number) => run('redis-cli', ['-p', String(port), 'ping']).then((r) => r.stdout.trim())

describe('real Redis for tests', () => {
  it('starts on a free port, survives kill and start, and closes', async () => {
    const redis = await startRedisServer()
    try {
      expect(await ping(redis.port)).toBe('PONG')
      await redis.kill()
      await expect(ping(redis.port)).rejects.toThrow()
      await redis.start()
      expect(await ping(redis.port)).toBe('PONG')
    } finally {
      await redis.close()
    }
  })

  it('forms a three-master cluster', async () => {
    const cluster = await startRedisCluster(3)
    try {
      const port = cluster.nodes[0]?.port as number
      const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'])
      expect(stdout).toContain('cluster_known_nodes:3')
      expect(stdout).toContain('cluster_state:ok')
    } finally {
      await cluster.close()
    }
  }, 30_000)
})
