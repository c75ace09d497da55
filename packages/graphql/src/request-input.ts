import type { AuthInput } from '@portcullis/core'

/** Reads the credentials of a GraphQL operation from its context; undefined means "none sent". */
export type AuthInputReader = (context: Record<string, unknown>) => AuthInput | undefined

interface FetchRequestLike {
  headers: { get(name: string): string | null }
  method?: string
  url?: string
}

interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>
  method?: string
  url?: string
  /** Express keeps the full target here when a router mounted at a path rewrote `url`. */
  originalUrl?: string
  socket?: { remoteAddress?: string; encrypted?: boolean }
}

const RAW_BODY = Symbol.for('@portcullis/graphql.rawBody')

/**
 * The default reader. In order: graphql-ws `connectionParams` (`authorization`, `x-app-id`,
 * `x-app-secret`, `x-project-token`, any other string entry, and a nested `headers` object, all as
 * lower-case header names), the Fetch `request` Yoga puts on the context, then a Node `req` (Yoga on
 * node:http, Express, graphql-ws `extra`). `method` and `url` (path and query as received) come with
 * it, `ip` is the Node socket's peer, and `body` is the raw request body when `usePortcullis` kept it
 * (signed requests in `strict` mode).
 */
export function readAuthInput(context: Record<string, unknown>): AuthInput | undefined {
  const fromParams = headersFromConnectionParams(context.connectionParams)
  const node = asNodeRequest(context.req) ?? asNodeRequest((context.extra as { request?: unknown })?.request)
  const ip = node?.socket?.remoteAddress
  const nodeUrl = node?.originalUrl ?? node?.url
  if (fromParams) return described({ headers: fromParams }, node?.method, nodeUrl, undefined, ip)
  const request = context.request as FetchRequestLike | undefined
  if (request && typeof request.headers?.get === 'function') {
    const url = nodeUrl ?? (request.url !== undefined ? requestTarget(request.url) : undefined)
    const protocol = (request.url ?? '').startsWith('https:') || node?.socket?.encrypted ? 'https' : 'http'
    const body = (request as { [RAW_BODY]?: Uint8Array })[RAW_BODY]
    return described({ headers: request.headers }, request.method, url, protocol, ip, body)
  }
  if (node) {
    const protocol = node.socket?.encrypted ? 'https' : 'http'
    return described({ headers: node.headers }, node.method, nodeUrl, protocol, ip)
  }
  return undefined
}

/**
 * The input with each fact that is known, in one order (so every input shares one shape) and without the
 * temporary objects conditional spreads make. Hot path: once per operation.
 */
function described(
  input: AuthInput,
  method: string | undefined,
  url: string | undefined,
  protocol: string | undefined,
  ip: string | undefined,
  body?: Uint8Array,
): AuthInput {
  if (method !== undefined) input.method = method
  if (url !== undefined) input.url = url
  if (protocol !== undefined) input.protocol = protocol
  if (ip !== undefined) input.ip = ip
  if (body !== undefined) input.body = body
  return input
}

/** Keeps a copy of the raw body on the Fetch request, for `readAuthInput` to hand to core. */
export function keepRawBody(request: object, body: Uint8Array): void {
  Object.defineProperty(request, RAW_BODY, { value: body, configurable: true })
}

/** Path and query of an absolute URL: the request target core's signed-request check reads. */
function requestTarget(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/'
}

function asNodeRequest(value: unknown): NodeRequestLike | undefined {
  const headers = (value as { headers?: unknown } | undefined)?.headers
  if (
    typeof headers !== 'object' ||
    headers === null ||
    typeof (headers as { get?: unknown }).get === 'function'
  )
    return undefined
  return value as NodeRequestLike
}

/**
 * graphql-ws clients send credentials in the ConnectionInit payload, not as HTTP headers. Names are
 * lower-cased; a name given twice with different values becomes a list, which core rejects as ambiguous
 * rather than picking one. Undefined when the payload carries no string entries at all.
 */
function headersFromConnectionParams(params: unknown): Record<string, string | string[]> | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const headers: Record<string, string | string[]> = {}
  let found = false
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string') return
    found = true
    const key = name.toLowerCase()
    const existing = headers[key]
    if (existing === undefined) headers[key] = value
    else if (Array.isArray(existing)) {
      if (!existing.includes(value)) existing.push(value)
    } else if (existing !== value) headers[key] = [existing, value]
  }
  const nested = (params as { headers?: unknown }).headers
  if (typeof nested === 'object' && nested !== null) {
    for (const [name, value] of Object.entries(nested)) add(name, value)
  }
  for (const [name, value] of Object.entries(params)) add(name, value)
  return found ? headers : undefined
}
