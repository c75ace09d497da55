import type { AuthError, ConfigError } from '@portcullis/core'
import { EXIT_CODES, type ExitCode } from './exit-codes.js'

/**
 * What a command failed with: a stable `code` for scripts (`token_malformed`, `state_mismatch`...), the exit
 * code, a message for people, and optional details (e.g. the config fields at fault). Never carries a secret.
 */
export class CliError extends Error {
  override readonly name = 'CliError'

  constructor(
    readonly code: string,
    readonly exitCode: ExitCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message)
  }

  static usage(message: string, code = 'usage'): CliError {
    return new CliError(code, EXIT_CODES.usage, message)
  }

  static unavailable(code: string, message: string): CliError {
    return new CliError(code, EXIT_CODES.unavailable, message)
  }

  /** A failure the command already printed as its result (e.g. `verify` answering "invalid"): only the exit code is left. */
  static reported(code: string, exitCode: ExitCode): CliError {
    const error = new CliError(code, exitCode, code)
    error.reported = true
    return error
  }

  reported = false

  static config(message: string, issues: readonly { path: string; message: string }[] = []): CliError {
    return new CliError('config_invalid', EXIT_CODES.config, message, issues.length ? { issues } : undefined)
  }
}

/**
 * Maps anything a command threw to a `CliError`: core's `ConfigError` and `AuthError` by their meaning. They
 * are recognised by name and shape, so that commands which never need core (decode, login) never load it.
 */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error
  if (isNamed<ConfigError>(error, 'ConfigError') && Array.isArray(error.issues)) {
    return CliError.config(error.message, error.issues)
  }
  if (isNamed<AuthError>(error, 'AuthError') && typeof error.code === 'string') {
    const exitCode = error.status === 503 ? EXIT_CODES.unavailable : EXIT_CODES.auth
    return new CliError(error.code, exitCode, error.message, { status: error.status })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new CliError('internal', EXIT_CODES.internal, `unexpected error: ${message}`)
}

function isNamed<T extends Error>(error: unknown, name: string): error is T {
  return error instanceof Error && error.name === name
}
