/**
 * The logging surface Portcullis writes to: pino's (and most loggers') `(object, message)` shape.
 * Portcullis never logs a token, a secret or a claim value; objects carry codes, issuers, durations, states.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message: string): void
  info(object: Record<string, unknown>, message: string): void
  warn(object: Record<string, unknown>, message: string): void
  error(object: Record<string, unknown>, message: string): void
}

const noop = () => {}
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
