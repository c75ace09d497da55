import {
  type Auth,
  type AuthResult,
  type CompiledPolicy,
  isAuthError,
  keepRequestAuthRecord,
  type RequestAuthRecord,
  requestAuthRecord,
  requestProperty,
  showAuth,
} from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { toAuthInput } from './auth-input.js'
import { sendAuthError } from './send-auth-error.js'

/** What a guard does with an `AuthError`: send it (`respond`) or hand it to the app's error handler (`next`). */
export type ErrorHandling = 'respond' | 'next'

/**
 * What a guard keeps beside the request (core's record, which `req.auth` shows): the result, and which `Auth`
 * produced it. A later scope check reuses a result only when its own `Auth` made it: not one another library
 * left on `req.auth`, nor one from another configuration.
 */
interface GuardRecord extends RequestAuthRecord {
  readonly auth: AuthResult
  readonly by: Auth
}

/**
 * Authenticates `req` under `policy`, sets `req.auth`, then runs `proceed` (the next middleware, or the guarded
 * handler). Core decides; this only translates. A success core settled at once (most requests: an L1 hit)
 * goes on in the same tick, with no promise in between. The returned value never rejects: whatever fails after
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
): unknown {
  const outcome = auth.authenticateNow(toAuthInput(req), policy)
  if (!(outcome instanceof Promise)) return admit(auth, outcome, req, next, proceed)
  return outcome.then(
    (result) => admit(auth, result, req, next, proceed),
    (error: unknown) => settle(() => fail(error, errors, res, next), next),
  )
}

/** Attaches an accepted result to the request, then goes on. */
function admit(
  auth: Auth,
  result: AuthResult,
  req: Request,
  next: NextFunction,
  proceed: () => unknown,
): unknown {
  const record: GuardRecord = { auth: result, by: auth }
  keepRequestAuthRecord(req, record)
  showAuth(req, record)
  return settle(proceed, next)
}

/**
 * A scope step (`requireScopes`, or `@Scopes` with no mode anywhere): when an earlier guard of the same `Auth`
 * already authenticated this request, core checks `policy` against that result (`auth.authorize`) without
 * authenticating again, whatever credentials it came from; otherwise it authenticates under `policy` (a
 * bearer token with those scopes). Hot path.
 */
export function checkScopes(
  auth: Auth,
  policy: CompiledPolicy,
  errors: ErrorHandling,
  req: Request,
  res: Response,
  next: NextFunction,
  proceed: () => unknown,
): unknown {
  const earlier = requestProperty(req, 'auth') as AuthResult | undefined
  const record = requestAuthRecord(req) as Partial<GuardRecord> | undefined
  if (earlier === undefined || record?.auth !== earlier || record.by !== auth) {
    return guardRequest(auth, policy, errors, req, res, next, proceed)
  }
  // Same shape as guardRequest, so a throwing or rejecting handler reaches next(err) here too.
  return new Promise<void>((resolve) => {
    auth.authorize(earlier, policy)
    resolve()
  }).then(
    () => settle(proceed, next),
    (error: unknown) => settle(() => fail(error, errors, res, next), next),
  )
}

/**
 * Runs a step after authentication; whatever it throws, or the promise it returns rejects with, goes to
 * `next(err)`. Saves the catch-all `.then` (one promise, one microtask) per request. Hot path.
 */
function settle(step: () => unknown, next: NextFunction): unknown {
  try {
    const value = step()
    if (value instanceof Promise) return value.then(undefined, next)
    if (isThenable(value)) return Promise.resolve(value).then(undefined, next)
    return value
  } catch (error) {
    next(error)
    return undefined
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function fail(error: unknown, errors: ErrorHandling, res: Response, next: NextFunction): void {
  // Anything but an AuthError is the app's problem, whatever the error handling chosen.
  if (errors === 'respond' && isAuthError(error)) sendAuthError(res, error)
  else next(error)
}
