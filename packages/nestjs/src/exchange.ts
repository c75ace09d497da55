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
  /** The raw body, kept by Nest when the app is created with `{ rawBody: true }` (Express and Fastify). */
  rawBody?: unknown
  /** The parsed body; a raw one only when a raw or text body parser ran (`express.raw()`, `express.text()`). */
  body?: unknown
  /** The `AuthResult` a Portcullis guard attached. */
  auth?: AuthResult
  /** Express links the response from the request. */
  res?: unknown
}

/** An HTTP request and, where the context exposes it, its response (for the WWW-Authenticate header). */
export interface Exchange {
  request: RequestLike
  response: unknown
  /** In GraphQL: the context object resolvers receive, which gets the result's fields too. */
  graphqlContext?: Record<string, unknown>
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
    return {
      request,
      response: graphqlContext?.res ?? graphqlContext?.reply ?? request.res,
      graphqlContext: graphqlContext as Record<string, unknown>,
    }
  }
  return undefined
}

/** Core's framework-neutral view of an Express or Fastify request. Hot path. */
export function toAuthInput(request: RequestLike): AuthInput {
  const input: AuthInput = {
    headers: request.headers,
    ip: request.ip,
    method: request.method,
    url: request.originalUrl ?? request.url,
    protocol: request.protocol,
  }
  // Only a body read verbatim can be checked against a signature: never a parsed (JSON, form) object.
  const body = rawBodyOf(request.rawBody) ?? rawBodyOf(request.body)
  if (body !== undefined) input.body = body
  return input
}

function rawBodyOf(value: unknown): string | Uint8Array | undefined {
  return typeof value === 'string' || value instanceof Uint8Array ? value : undefined
}
