import type { CanActivate, ExecutionContext, OnModuleInit } from '@nestjs/common'
import { Inject } from '@nestjs/common'
import {
  type Auth,
  type AuthMode,
  type AuthResult,
  type CompiledPolicy,
  ConfigError,
  isAuthError,
  keepRequestAuthRecord,
  type RequestAuthRecord,
  requestAuthRecord,
  showAuth,
} from '@portcullis/core'
import {
  type Exchange,
  exchangeOf,
  graphqlSupportLoaded,
  loadGraphqlSupport,
  type RequestLike,
  toAuthInput,
} from '../exchange.js'
import { sendAuthErrorHeaders, toHttpException } from '../http-exception.js'
import { PUBLIC_ROUTE, type RoutePolicies } from '../route-policies.js'
import { PORTCULLIS_AUTH, ROUTE_POLICIES } from '../tokens.js'

/**
 * The first authentication of a request in a mode: its policy and its (possibly pending) outcome. A later guard
 * of the same mode — a route guard under a global one, or the next GraphQL root field, resolved concurrently —
 * waits for it and checks its own policy with `auth.authorize` instead of authenticating again. Kept beside
 * the request as core's record, whose `auth` (set once accepted) is what `request.auth` shows.
 */
interface Authentication extends RequestAuthRecord {
  readonly policy: CompiledPolicy
  /** Settled at once (a success core needed nothing awaited for), or pending. */
  readonly result: AuthResult | Promise<AuthResult>
}

/** This guard's record for the request, not one another adapter kept. Hot path. */
function authenticationOf(request: RequestLike): Authentication | undefined {
  const record = requestAuthRecord(request) as Partial<Authentication> | undefined
  return record?.policy === undefined ? undefined : (record as Authentication)
}

/**
 * What the four guards share. A guard authenticates in its own mode unless the route's metadata names one
 * (`@Auth(mode)`, `@AuthPolicy({ mode })`); it translates the request, lets core decide, attaches the result
 * as `request.auth` (and, in GraphQL, its fields on the context), and turns an `AuthError` into the matching
 * Nest `HttpException`.
 */
export abstract class PortcullisAuthGuard implements CanActivate, OnModuleInit {
  /** The mode used on routes whose metadata names none. */
  protected abstract readonly mode: AuthMode

  constructor(
    @Inject(PORTCULLIS_AUTH) protected readonly auth: Auth,
    @Inject(ROUTE_POLICIES) private readonly policies: RoutePolicies,
  ) {}

  /** Fails application start-up when the `Auth` cannot serve this guard's mode (project auth not configured). */
  onModuleInit(): void {
    try {
      this.auth.policy({ mode: this.mode })
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(error.issues, this.constructor.name)
      throw error
    }
  }

  /**
   * Hot path: one policy lookup, one authentication (or an `authorize` after another guard of the mode). A
   * success core settled at once (most requests: an L1 hit) answers `true` synchronously, which Nest takes
   * without awaiting anything; the rest is a promise.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policies.resolve(context.getClass(), context.getHandler(), this.mode)
    if (policy === PUBLIC_ROUTE) return true
    if (context.getType<string>() === 'graphql' && !graphqlSupportLoaded()) {
      return loadGraphqlSupport().then(() => this.canActivate(context))
    }
    const exchange = exchangeOf(context)
    if (exchange === undefined) {
      throw new Error(
        `Portcullis guards need an HTTP request: none found in this "${context.getType()}" context ` +
          '(GraphQL: the context must carry `req`; WebSocket and RPC contexts are not supported)',
      )
    }
    const request = exchange.request
    let authentication = authenticationOf(request)
    let outcome: AuthResult | Promise<AuthResult>
    try {
      if (authentication !== undefined && authentication.policy.mode === policy.mode) {
        outcome = this.#reuse(authentication, request, policy)
      } else {
        // `auth` is there from the start, so setting it on success changes no shape. Hot path.
        outcome = this.auth.authenticateNow(toAuthInput(request), policy)
        authentication = { policy, result: outcome, auth: undefined }
        keepRequestAuthRecord(request, authentication)
      }
    } catch (error) {
      return refuse(exchange, error)
    }
    const record = authentication
    if (outcome instanceof Promise) {
      return outcome.then(
        (result) => admit(exchange, record, result),
        (error: unknown) => refuse(exchange, error),
      )
    }
    return admit(exchange, record, outcome)
  }

  /**
   * A request this mode already authenticated: the same policy takes the result as it is; another is checked
   * on it (a settled one at once: `authorize` throws its refusal). Hot path for stacked guards.
   */
  #reuse(
    earlier: Authentication,
    request: RequestLike,
    policy: CompiledPolicy,
  ): AuthResult | Promise<AuthResult> {
    if (earlier.policy === policy) return earlier.result
    if (!(earlier.result instanceof Promise)) {
      this.auth.authorize(earlier.result, policy)
      return earlier.result
    }
    return earlier.result.then(
      (result) => {
        this.auth.authorize(result, policy)
        return result
      },
      // The earlier policy refused; this one may not (fewer scopes, optional): it decides on its own.
      () => this.auth.authenticate(toAuthInput(request), policy),
    )
  }
}

/** An accepted result onto the request's record, shown as `request.auth` (and on the GraphQL context). */
function admit(exchange: Exchange, record: RequestAuthRecord, result: AuthResult): true {
  record.auth = result
  showAuth(exchange.request, record)
  if (exchange.graphqlContext !== undefined) attachToGraphqlContext(exchange.graphqlContext, result)
  return true
}

/** A refusal as Nest's exception, with the challenge headers on the response; anything else as it is. */
function refuse(exchange: Exchange, error: unknown): never {
  if (!isAuthError(error)) throw error
  sendAuthErrorHeaders(exchange.response, error)
  throw toHttpException(error)
}

/** Like `@portcullis/graphql`: each field the result has (`user`, `claims`, `token`, `issuer`, `project`). */
function attachToGraphqlContext(context: Record<string, unknown>, result: AuthResult): void {
  for (const key in result) {
    const value = result[key as keyof AuthResult]
    if (value !== undefined) context[key] = value
  }
}
