/**
 * The logging surface the project and Mercury modules write to: pino's `(object, message)` shape.
 * Objects carry app ids, tenants, statuses and reasons; never a secret, a secret's HMAC, a token or a signature.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message: string): void
  info(object: Record<string, unknown>, message: string): void
  warn(object: Record<string, unknown>, message: string): void
  error(object: Record<string, unknown>, message: string): void
}

const noop = () => {}
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
