import type { CanActivate, ExecutionContext, OnModuleInit } from '@nestjs/common'
import { Inject } from '@nestjs/common'
import { type Auth, type AuthMode, type CompiledPolicy, ConfigError, isAuthError } from '@portcullis/core'
import { exchangeOf, loadGraphqlSupport, type RequestLike, toAuthInput } from '../exchange.js'
import { sendAuthErrorHeaders, toHttpException } from '../http-exception.js'
import { PUBLIC_ROUTE, type RoutePolicies } from '../route-policies.js'
import { PORTCULLIS_AUTH, ROUTE_POLICIES } from '../tokens.js'

/** The compiled policy a request was last authenticated under, so a second guard with the same one skips. */
const AUTHENTICATED_UNDER: unique symbol = Symbol('portcullis authenticated under')

type AuthenticatedRequest = RequestLike & { [AUTHENTICATED_UNDER]?: CompiledPolicy }

/**
 * What the four guards share. A guard authenticates in its own mode unless the route's metadata names one
 * (`@Auth(mode)`, `@AuthPolicy({ mode })`); it translates the request, lets core decide, attaches the result
 * as `request.auth`, and turns an `AuthError` into the matching Nest `HttpException`.
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

  /** Hot path: one policy lookup, one `authenticate`. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policies.resolve(context.getClass(), context.getHandler(), this.mode)
    if (policy === PUBLIC_ROUTE) return true
    if (context.getType<string>() === 'graphql') await loadGraphqlSupport()
    const exchange = exchangeOf(context)
    if (exchange === undefined) {
      throw new Error(
        `Portcullis guards need an HTTP request: none found in this "${context.getType()}" context ` +
          '(GraphQL: the context must carry `req`; WebSocket and RPC contexts are not supported)',
      )
    }
    const request = exchange.request as AuthenticatedRequest
    if (request[AUTHENTICATED_UNDER] === policy && request.auth !== undefined) return true
    try {
      request.auth = await this.auth.authenticate(toAuthInput(request), policy)
    } catch (error) {
      if (!isAuthError(error)) throw error
      sendAuthErrorHeaders(exchange.response, error)
      throw toHttpException(error)
    }
    request[AUTHENTICATED_UNDER] = policy
    return true
  }
}
