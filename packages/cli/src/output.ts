import type { CliError } from './cli-error.js'
import { type Colors, colorsFor } from './colors.js'

/** The process streams and environment a command runs with (the real ones in `bin.ts`). */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  env: Readonly<Record<string, string | undefined>>
}

/**
 * Where a command's words go. Results on stdout: one JSON document with `--json`, else lines for people.
 * Progress and prompts on stderr, so `$(portcullis ...)` captures only the result. Errors: a JSON document on
 * stdout with `--json` (so a script always gets one), else `error: ...` on stderr.
 */
export class Output {
  readonly json: boolean
  /** Styles for stdout and for stderr: each is coloured only if it is a terminal. */
  readonly out: Colors
  readonly err: Colors
  readonly io: Io

  constructor(io: Io, options: { json: boolean; color: boolean }) {
    this.io = io
    this.json = options.json
    this.out = colorsFor(io.stdout, io.env, options.color)
    this.err = colorsFor(io.stderr, io.env, options.color)
  }

  /** The command's result: `data` as JSON with `--json`, else the human lines. */
  result(data: unknown, human: () => string | readonly string[]): void {
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
      return
    }
    const text = human()
    this.io.stdout.write(`${typeof text === 'string' ? text : text.join('\n')}\n`)
  }

  /** A progress line for people, on stderr (also with `--json`: stdout stays one document). */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`)
  }

  failure(error: CliError): void {
    if (this.json) {
      const body = {
        error: { code: error.code, message: error.message, exitCode: error.exitCode, ...error.details },
      }
      this.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
      return
    }
    const lines = [`${this.err.red('error:')} ${error.message}`]
    const issues = error.details?.issues as readonly { path: string; message: string }[] | undefined
    // ConfigError's message already lists its issues; other errors' issues are listed here.
    if (issues && !error.message.includes(issues[0]?.message ?? '\u0000')) {
      for (const issue of issues) lines.push(`  - ${this.err.bold(issue.path || '(root)')}: ${issue.message}`)
    }
    lines.push(this.err.dim(`(${error.code}, exit ${error.exitCode})`))
    this.io.stderr.write(`${lines.join('\n')}\n`)
  }
}
