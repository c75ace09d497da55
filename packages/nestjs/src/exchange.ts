import type { ExecutionContext } from '@nestjs/common'
import type { AuthInput, AuthResult } from '@portcullis/core'

/** The request fields Portcullis reads, common to Express and Fastify requests. */
export interface RequestLike {
  headers: AuthInput['headers']
  ip?: string
  method?: string
  url?: string
  /** Express: the URL before routers stripped their mount path. */
  originalUrl?: string
  protocol?: string
  /** The `AuthResult` a Portcullis guard attached. */
  auth?: AuthResult
  /** Express links the response from the request. */
  res?: unknown
}

/** An HTTP request and, where the context exposes it, its response (for the WWW-Authenticate header). */
export interface Exchange {
  request: RequestLike
  response: unknown
}

interface GqlExecutionContextStatic {
  create(context: ExecutionContext): { getContext<T = unknown>(): T }
}

interface GraphqlContextLike {
  req?: RequestLike
  request?: RequestLike
  res?: unknown
  reply?: unknown
}

// @nestjs/graphql is an optional peer: it is imported on the first GraphQL request, never by HTTP-only apps.
// The module namespace is kept once loaded, as Node keeps the module itself.
let gqlExecutionContext: GqlExecutionContextStatic | undefined

/** Loads `GqlExecutionContext` once; a clear error when a GraphQL context shows up without @nestjs/graphql. */
export async function loadGraphqlSupport(): Promise<void> {
  if (gqlExecutionContext !== undefined) return
  try {
    gqlExecutionContext = (await import('@nestjs/graphql')).GqlExecutionContext
  } catch (cause) {
    throw new Error('Portcullis: a guard ran in a GraphQL context but @nestjs/graphql could not be loaded', {
      cause,
    })
  }
}

/**
 * The request behind an HTTP or GraphQL execution context. GraphQL needs `loadGraphqlSupport()` first;
 * until then (no Portcullis guard ran there) this returns undefined. Hot path.
 */
export function exchangeOf(context: ExecutionContext): Exchange | undefined {
  const type = context.getType<string>()
  if (type === 'http') {
    const http = context.switchToHttp()
    return { request: http.getRequest<RequestLike>(), response: http.getResponse<unknown>() }
  }
  if (type === 'graphql') {
    if (gqlExecutionContext === undefined) return undefined
    const graphqlContext = gqlExecutionContext.create(context).getContext<GraphqlContextLike | undefined>()
    const request = graphqlContext?.req ?? graphqlContext?.request
    if (request === undefined) return undefined
    return { request, response: graphqlContext?.res ?? graphqlContext?.reply ?? request.res }
  }
  return undefined
}

/** Core's framework-neutral view of an Express or Fastify request. Hot path. */
export function toAuthInput(request: RequestLike): AuthInput {
  return {
    headers: request.headers,
    ip: request.ip,
    method: request.method,
    url: request.originalUrl ?? request.url,
    protocol: request.protocol,
  }
}
