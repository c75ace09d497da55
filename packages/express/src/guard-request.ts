import { type Auth, type CompiledPolicy, isAuthError } from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { toAuthInput } from './auth-input.js'
import { sendAuthError } from './send-auth-error.js'

/** What a guard does with an `AuthError`: send it (`respond`) or hand it to the app's error handler (`next`). */
export type ErrorHandling = 'respond' | 'next'

/**
 * Authenticates `req` under `policy`, sets `req.auth`, then runs `proceed` (the next middleware, or the guarded
 * handler). Core decides; this only translates. The returned promise never rejects: whatever fails after
 * authentication (a throwing or rejecting handler, a response that cannot be sent) goes to `next(err)`, so
 * nothing escapes as an unhandled rejection on Express 4. Hot path.
 */
export function guardRequest(
  auth: Auth,
  policy: CompiledPolicy,
  errors: ErrorHandling,
  req: Request,
  res: Response,
  next: NextFunction,
  proceed: () => unknown,
): Promise<unknown> {
  return auth
    .authenticate(toAuthInput(req), policy)
    .then(
      (result) => {
        req.auth = result
        return proceed()
      },
      (error: unknown) => {
        // Anything but an AuthError is the app's problem, whatever the error handling chosen.
        if (errors === 'respond' && isAuthError(error)) sendAuthError(res, error)
        else next(error)
      },
    )
    .then(undefined, next)
}
