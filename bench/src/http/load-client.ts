import { type ChildProcess, fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadMessage, LoadReply, LoadResult, LoadSpec } from './loadgen.js'

const here = dirname(fileURLToPath(import.meta.url))

/** The long-lived load generator process (`loadgen.js`), one run at a time. */
export class LoadGenerator {
  readonly #child: ChildProcess

  constructor() {
    this.#child = fork(join(here, 'loadgen.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    const child = this.#child
    return new Promise((resolve, reject) => {
      const done = (error?: Error, result?: LoadResult) => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (error) reject(error)
        else resolve(result as LoadResult)
      }
      const timer = setTimeout(
        () => {
          child.kill('SIGKILL')
          done(new Error('load generator overran its time'))
        },
        (spec.durationSec + 60) * 1000,
      )
      const onMessage = (reply: LoadReply) =>
        reply.type === 'result' ? done(undefined, reply.result) : done(new Error(reply.error))
      const onExit = (code: number | null) => done(new Error(`load generator exited with ${code}`))
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send({ type: 'run', spec } satisfies LoadMessage)
    })
  }

  close(): void {
    if (this.#child.connected) this.#child.disconnect()
    this.#child.kill()
  }
}
