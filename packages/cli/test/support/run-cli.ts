import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as the one JSON document `--json` prints. */
  // biome-ignore lint/suspicious/noExplicitAny: outputs are read field by field
  json(): any
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  /** Written to standard input, which is then closed. */
  input?: string
  cwd?: string
}

/** Colour settings of the test runner's own terminal must not leak into the child. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'PORTCULLIS_CONFIG', 'REDIS_URL', 'SIGNATURE_SHARED_SECRET'])
    delete env[name]
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

/** Starts `portcullis ...args` as a child process, the way a shell would. */
export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv(options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin?.end(options.input ?? '')
  return child
}

/** Waits for a spawned CLI to exit and collects what it printed. */
export function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout)
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`)
          }
        },
      }),
    )
  })
}

/** Runs `portcullis ...args` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return collect(spawnCli(args, options))
}

/** Resolves with the first match of `pattern` in what the child writes to stderr. */
export function waitForStderr(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString()
      const match = pattern.exec(seen)
      if (match) {
        child.stderr?.off('data', onData)
        resolve(match)
      }
    }
    child.stderr?.on('data', onData)
    child.once('close', (code) => reject(new Error(`exited ${code} before printing ${pattern}:\n${seen}`)))
  })
}
