import type { Socket } from 'node:net'
import type { ExecutionContext } from '@nestjs/common'
import {
  type AuthInput,
  type AuthResult,
  headersKeepingRepeatedAuthorization,
  requestClientAddress,
  requestProperty,
  requestProtocol,
} from '@portcullis/core'

/** The request fields Portcullis reads, common to Express and Fastify requests. */
export interface RequestLike {
  headers: AuthInput['headers']
  /** Express (a Node `IncomingMessage`): the headers as received, repeats included. */
  rawHeaders?: readonly string[]
  /** Fastify: the Node request underneath. */
  raw?: { rawHeaders?: readonly string[] }
  ip?: string
  method?: string
  url?: string
  /** Express: the URL before routers stripped their mount path. */
  originalUrl?: string
  protocol?: string
  /** Express: the app, whose compiled `trust proxy` function decides what `protocol` says. */
  app?: { get?(setting: string): unknown }
  /** The connection (Express: a Node socket; Fastify's request has none of its own). */
  socket?: Socket
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

/** Whether `loadGraphqlSupport()` already ran: the guard then needs no await for it. Hot path. */
export function graphqlSupportLoaded(): boolean {
  return gqlExecutionContext !== undefined
}

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
    // An HTTP handler's arguments are (request, response, next): what `switchToHttp()` reads, without the three
    // closures it assigns onto the context on every call.
    return { request: context.getArgByIndex<RequestLike>(0), response: context.getArgByIndex<unknown>(1) }
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

/** Express's and Fastify's `request.headers`: Node's, one value per name (arrays for a few repeatable ones). */
type ReceivedHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/** Core's framework-neutral view of an Express or Fastify request. Hot path. */
export function toAuthInput(request: RequestLike): AuthInput {
  return new RequestAuthInput(request)
}

/**
 * `ip`, `protocol`, `url` and `body` are read from the request only when core asks (a failure to count, a
 * plain-HTTP check, a signed request): behind a proxy Express and Fastify work the client address out anew on
 * each read.
 */
class RequestAuthInput implements AuthInput {
  readonly headers: AuthInput['headers']
  readonly #request: RequestLike
  /** `request.headers`, read once: on Express every read of the request is a slow one (core's `requestProperty`). */
  readonly #received: ReceivedHeaders

  constructor(request: RequestLike) {
    this.#request = request
    this.#received = requestProperty(request, 'headers') as ReceivedHeaders
    this.headers = headersKeepingRepeatedAuthorization(
      this.#received,
      (requestProperty(request, 'rawHeaders') as RequestLike['rawHeaders']) ?? request.raw?.rawHeaders,
    )
  }

  get method(): string | undefined {
    return this.#request.method
  }

  get ip(): string | undefined {
    return requestClientAddress(this.#request, this.#received)
  }

  get protocol(): string | undefined {
    return requestProtocol(this.#request, this.#received)
  }

  get url(): string | undefined {
    return this.#request.originalUrl ?? this.#request.url
  }

  /** Only a body read verbatim can be checked against a signature: never a parsed (JSON, form) object. */
  get body(): string | Uint8Array | undefined {
    return rawBodyOf(this.#request.rawBody) ?? rawBodyOf(this.#request.body)
  }
}

function rawBodyOf(value: unknown): string | Uint8Array | undefined {
  return typeof value === 'string' || value instanceof Uint8Array ? value : undefined
}
