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
  socket?: { remoteAddress?: string; encrypted?: boolean }
}

/**
 * The default reader. In order: graphql-ws `connectionParams` (`authorization`, `Authorization`,
 * any other string entry, and a nested `headers` object, all as lower-case header names), the Fetch
 * `request` Yoga puts on the context, then a Node `req` (Yoga on node:http, Express, graphql-ws `extra`).
 */
export function readAuthInput(context: Record<string, unknown>): AuthInput | undefined {
  const fromParams = headersFromConnectionParams(context.connectionParams)
  const node = asNodeRequest(context.req) ?? asNodeRequest((context.extra as { request?: unknown })?.request)
  const ip = node?.socket?.remoteAddress
  if (fromParams) return { headers: fromParams, ...(ip !== undefined && { ip }) }
  const request = context.request as FetchRequestLike | undefined
  if (request && typeof request.headers?.get === 'function') {
    const url = request.url
    return {
      headers: request.headers,
      ...(request.method !== undefined && { method: request.method }),
      ...(url !== undefined && { url, protocol: url.startsWith('https:') ? 'https' : 'http' }),
      ...(ip !== undefined && { ip }),
    }
  }
  if (node) {
    return {
      headers: node.headers,
      ...(node.method !== undefined && { method: node.method }),
      ...(node.url !== undefined && { url: node.url }),
      protocol: node.socket?.encrypted ? 'https' : 'http',
      ...(ip !== undefined && { ip }),
    }
  }
  return undefined
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
