import { type ApiEndpoint, GRAPHQL_QUERIES, type Resource } from '../manifest.js'
import type { TourAnswer, TourRequest } from './tour-types.js'

export interface Credentials {
  token?: string
  app?: { appId: string; appSecret: string }
}

/** The request asking `api` for `resource` with these credentials (REST: GET; GraphQL: POST a query). */
export function apiRequest(api: ApiEndpoint, resource: Resource, credentials: Credentials = {}): TourRequest {
  const headers: Record<string, string> = {}
  if (credentials.token !== undefined) headers.authorization = `Bearer ${credentials.token}`
  if (credentials.app) {
    headers['x-app-id'] = credentials.app.appId
    headers['x-app-secret'] = credentials.app.appSecret
  }
  if (api.kind === 'rest') return { method: 'GET', url: `${api.url}/${resource}`, headers }
  return { method: 'POST', url: api.url, headers, json: { query: GRAPHQL_QUERIES[resource] } }
}

/** The Portcullis error code of a refused call: the REST body's `code`, or the GraphQL error's `extensions.auth.code`. */
export function authCode(answer: TourAnswer): string | undefined {
  const body = answer.body as {
    code?: unknown
    errors?: { extensions?: { auth?: { code?: unknown } } }[]
  } | null
  const code = body?.code ?? body?.errors?.[0]?.extensions?.auth?.code
  return typeof code === 'string' ? code : undefined
}

/** The payload of a successful call, REST or GraphQL, for checks. */
export function dataOf(answer: TourAnswer): Record<string, unknown> | undefined {
  const body = answer.body as { data?: Record<string, unknown> } | Record<string, unknown> | null
  if (body && typeof body === 'object' && 'data' in body && body.data && typeof body.data === 'object')
    return body.data as Record<string, unknown>
  return (body as Record<string, unknown> | null) ?? undefined
}

export function expectCode(expected: string) {
  return (answer: TourAnswer): string | undefined => {
    const code = authCode(answer)
    return code === expected ? undefined : `expected error code ${expected}, got ${code ?? 'none'}`
  }
}

/** The claims of a JWT, read without verifying (the checks compare what the issuer put in). */
export function unverifiedClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

export function unverifiedHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >
}
