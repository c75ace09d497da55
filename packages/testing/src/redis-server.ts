import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. ['--notify-keyspace-events', 'K$g']. */
  args?: string[]
  /** Port to listen on; default a free one. */
  port?: number
}

/** A real `redis-server` child process on 127.0.0.1, for tests that need Redis to fail and come back. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the process (SIGKILL: an outage, not a clean shutdown). */
  kill(): Promise<void>
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>
  /** Stops it and removes its working directory. */
  close(): Promise<void>
}

/** Starts `redis-server` (must be on PATH) on a free loopback port and waits until it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort())
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-redis-'))
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...(options.args ?? []),
  ]
  let child: ChildProcess | undefined = await spawnRedis(args)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child) await stopProcess(child)
      child = undefined
    },
    async start() {
      if (!child) child = await spawnRedis(args)
    },
    async close() {
      if (child) await stopProcess(child)
      child = undefined
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A Redis Cluster of `masters` real redis-server processes (no replicas), slots spread by redis-cli. */
export interface RedisCluster {
  readonly nodes: readonly { host: string; port: number }[]
  close(): Promise<void>
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = []
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort()
      servers.push(
        await startRedisServer({
          port,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      )
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'])
    await waitFor(async () => {
      for (const server of servers) {
        const { stdout } = await run('redis-cli', ['-p', String(server.port), 'cluster', 'info'])
        if (!stdout.includes('cluster_state:ok')) return false
      }
      return true
    }, 15_000)
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()))
    throw error
  }
  return {
    nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    async close() {
      await Promise.all(servers.map((server) => server.close()))
    },
  }
}

/** A master plus one Sentinel watching it under `name`, for tests of Sentinel-configured clients. */
export interface RedisSentinel {
  readonly name: string
  readonly sentinels: readonly { host: string; port: number }[]
  readonly master: RedisServer
  close(): Promise<void>
}

export async function startRedisSentinel(name = 'portcullis-test'): Promise<RedisSentinel> {
  const master = await startRedisServer()
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-sentinel-'))
  const port = await freePort()
  const configFile = join(dir, 'sentinel.conf')
  await writeFile(
    configFile,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      '',
    ].join('\n'),
  )
  let sentinel: ChildProcess
  try {
    sentinel = await spawnRedis([configFile, '--sentinel'], '+monitor master')
  } catch (error) {
    await master.close()
    throw error
  }
  return {
    name,
    sentinels: [{ host: '127.0.0.1', port }],
    master,
    async close() {
      await stopProcess(sentinel)
      await master.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function spawnRedis(args: string[], ready = 'Ready to accept connections'): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(ready)) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`cannot run redis-server (is it installed?): ${error.message}`))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${output}`))
    })
  })
  return child
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('timed out waiting for the Redis cluster')
}
