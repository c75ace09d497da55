import type { AuthError } from '@portcullis/core'
import type { Response } from 'express'

/**
 * Renders an `AuthError` the way Portcullis guards do by default: its status, every header it carries
 * (`WWW-Authenticate`, `Retry-After`) and `{ error, error_description, code }` as JSON.
 * Exported for apps that pass errors to their own handler (`errors: 'next'`) and want the same response.
 */
export function sendAuthError(res: Response, error: AuthError): void {
  res.status(error.status).set(error.headers).json(error.toJSON())
}
