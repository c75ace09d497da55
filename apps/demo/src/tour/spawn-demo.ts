import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { DemoManifest } from '../manifest.js'

export interface SpawnedDemo {
  manifest: DemoManifest
  /** Everything the demo printed so far (stdout and stderr). */
  output(): string
  stop(): Promise<void>
}

const DEMO_DIR = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Starts the demo exactly as `pnpm demo` does (`node --conditions=@portcullis/source --import tsx src/main.ts`,
 * from the sources, no build needed) on free ports, waits until it printed its playground URL, and reads its
 * manifest over HTTP.
 */
export async function spawnDemo(env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<SpawnedDemo> {
  const child = spawn(
    process.execPath,
    ['--conditions=@portcullis/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: DEMO_DIR,
      env: { ...process.env, DEMO_PORT: '0', DEMO_QUIET: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const stop = () => stopChild(child)
  try {
    const playground = await waitFor(
      child,
      () => /Playground \(open in a browser\)\s+(\S+)/.exec(output)?.[1],
      timeoutMs,
      () => output,
    )
    const response = await fetch(new URL('demo/manifest.json', playground))
    if (!response.ok) throw new Error(`manifest answered ${response.status}`)
    return { manifest: (await response.json()) as DemoManifest, output: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function waitFor<T>(
  child: ChildProcess,
  found: () => T | undefined,
  timeoutMs: number,
  output: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const value = found()
      if (value !== undefined) {
        clearInterval(poll)
        resolve(value)
      } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(poll)
        reject(
          new Error(
            `the demo did not start (${child.exitCode !== null ? `exit ${child.exitCode}` : 'timeout'}):\n${output()}`,
          ),
        )
      }
    }, 50)
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
