import type { Command } from 'commander'
import { type Io, Output } from './output.js'

/** What every command's action gets: the process streams, and an `Output` for the global options. */
export interface CommandContext {
  readonly io: Io
  output(command: Command): Output
}

export function createContext(io: Io): CommandContext {
  return {
    io,
    output(command) {
      const options = command.optsWithGlobals<{ json?: boolean; color?: boolean }>()
      return new Output(io, { json: options.json === true, color: options.color !== false })
    },
  }
}

/** Collects a repeatable option's values (`--scope a --scope b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
