import type { Auth, AuthMode, AuthPolicy, CompiledPolicy } from '@portcullis/core'
import type { RequestHandler } from 'express'
import { type AuthDecorator, createDecorator, type DecoratorOwner } from './decorators.js'
import { checkScopes, type ErrorHandling, guardRequest } from './guard-request.js'
import { protectedResourceMetadataHandler } from './protected-resource-metadata.js'
import { addScopes, PUBLIC, setMode } from './route-policy.js'

export interface ExpressAuthOptions {
  /**
   * What a guard does when authentication fails. `'respond'` (default): send the `AuthError`'s status, its
   * `WWW-Authenticate`/`Retry-After` headers and `{ error, error_description, code }`. `'next'`: call
   * `next(err)` with the `AuthError`, for apps with their own error handler.
   */
  errors?: ErrorHandling
}

/** A route's requirements; the mode comes from the guard or decorator chosen. */
export type GuardPolicy = Omit<AuthPolicy, 'mode'>

/** Middleware and decorators sharing one `Auth`. Every policy is resolved by core when the guard is created. */
export interface ExpressAuth {
  readonly auth: Auth
  /** Bearer token (JWT) required. */
  jwtAuth(policy?: GuardPolicy): RequestHandler
  /** Project credentials (app id + secret, or a project token) required. */
  projectAuth(policy?: GuardPolicy): RequestHandler
  /** Both a bearer token and project credentials required. */
  combinedAuth(policy?: GuardPolicy): RequestHandler
  /** Either kind of credential (bearer token or project credentials); when both are sent, both must pass. */
  anyAuth(policy?: GuardPolicy): RequestHandler
  /**
   * Every one of these scopes is required. After another guard of this `Auth` on the same request, core
   * checks them against the identity that guard established (`auth.authorize`: no second authentication;
   * user, project, or both, as that guard's mode gave). On its own: `jwtAuth({ scopes })`.
   */
  requireScopes(...scopes: [string, ...string[]]): RequestHandler
  /** Serves the RFC 9728 protected-resource metadata document; mount with `app.use(...)`. */
  protectedResourceMetadata(): RequestHandler
  JwtAuth(policy?: GuardPolicy): AuthDecorator
  ProjectAuth(policy?: GuardPolicy): AuthDecorator
  CombinedAuth(policy?: GuardPolicy): AuthDecorator
  AnyAuth(policy?: GuardPolicy): AuthDecorator
  /** Scopes every one of which is required, on top of the class's and the mode decorator's. */
  Scopes(...scopes: [string, ...string[]]): AuthDecorator
  /** No authentication: the method is left untouched, and a class default does not reach it. */
  Public(): AuthDecorator
}

/**
 * Binds Portcullis to Express: create it once per `Auth` and take every guard and decorator from it.
 * The returned functions need no `this`, so they can be destructured.
 */
export function portcullis(auth: Auth, options: ExpressAuthOptions = {}): ExpressAuth {
  const errors = options.errors ?? 'respond'
  if (errors !== 'respond' && errors !== 'next') {
    throw new TypeError(`portcullis(): errors must be 'respond' or 'next', not ${String(errors)}`)
  }

  const middleware =
    (policy: CompiledPolicy): RequestHandler =>
    (req, res, next) => {
      void guardRequest(auth, policy, errors, req, res, next, next)
    }
  const guard =
    (mode: AuthMode) =>
    (policy: GuardPolicy = {}): RequestHandler =>
      middleware(auth.policy({ ...policy, mode }))

  const owner: DecoratorOwner = {
    compile: (policy) => auth.policy(policy),
    run: (policy, scopesOnly, req, res, next, proceed) =>
      (scopesOnly ? checkScopes : guardRequest)(auth, policy, errors, req, res, next, proceed),
  }
  const modeDecorator =
    (label: string, mode: AuthMode) =>
    (policy: GuardPolicy = {}): AuthDecorator =>
      createDecorator(owner, label, (settings, where) => setMode(settings, { ...policy, mode }, where))

  return {
    auth,
    jwtAuth: guard('jwt'),
    projectAuth: guard('project'),
    combinedAuth: guard('combined'),
    anyAuth: guard('any'),
    requireScopes: (...scopes) => {
      const policy = auth.policy({ mode: 'jwt', scopes: nonEmpty('requireScopes', scopes) })
      return (req, res, next) => {
        void checkScopes(auth, policy, errors, req, res, next, next)
      }
    },
    protectedResourceMetadata: () => protectedResourceMetadataHandler(auth),
    JwtAuth: modeDecorator('@JwtAuth', 'jwt'),
    ProjectAuth: modeDecorator('@ProjectAuth', 'project'),
    CombinedAuth: modeDecorator('@CombinedAuth', 'combined'),
    AnyAuth: modeDecorator('@AnyAuth', 'any'),
    Scopes: (...scopes) => {
      const list = nonEmpty('@Scopes', scopes)
      return createDecorator(owner, '@Scopes', (settings, where) => addScopes(settings, list, where))
    },
    Public: () => createDecorator(owner, '@Public', (settings, where) => setMode(settings, PUBLIC, where)),
  }
}

/** Same as `portcullis()`, under a name that says what it builds. */
export const createExpressAuth: typeof portcullis = portcullis

function nonEmpty(label: string, scopes: readonly string[]): string[] {
  if (scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || scope === '')) {
    throw new TypeError(`${label}() needs at least one non-empty scope`)
  }
  return [...scopes]
}
