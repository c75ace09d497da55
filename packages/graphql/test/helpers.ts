import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Auth, type AuthEvent, createAuth, type PortcullisConfigInput } from '@portcullis/core'
import { startTestIssuer, type TestIssuer } from '@portcullis/testing'
import { afterEach } from 'vitest'

export const AUDIENCE = 'https://api.test'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/** Runs `cleanup` after the current test (last registered, first run). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup)
}

/** A real issuer on 127.0.0.1 (one ES256 key: quick to start), closed after the test. */
export async function issuerForTest(): Promise<TestIssuer> {
  const issuer = await startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] })
  onCleanup(() => issuer.close())
  return issuer
}

export interface AuthForTest {
  auth: Auth
  /** Every authenticate() call, as core reports it (success or failure). */
  calls: () => number
}

/** A real Auth trusting the issuer(s), counting authenticate() calls through core's events; closed after the test. */
export function authFor(
  issuers: TestIssuer | readonly TestIssuer[],
  config: Partial<PortcullisConfigInput> = {},
): AuthForTest {
  const trusted = Array.isArray(issuers) ? issuers : [issuers as TestIssuer]
  let calls = 0
  const onEvent = (event: AuthEvent) => {
    if (event.type === 'auth.success' || event.type === 'auth.failure') calls++
  }
  const auth = createAuth(
    { audience: AUDIENCE, ...config, issuers: trusted.map((issuer) => ({ issuer: issuer.url })) },
    { onEvent },
  )
  onCleanup(() => auth.close())
  return { auth, calls: () => calls }
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** Serves a request listener (a Yoga instance) on 127.0.0.1 at a free port; closed after the test. */
export async function serve(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/graphql`, server }
}

export interface GraphQLResponse {
  status: number
  headers: Headers
  body: {
    data?: Record<string, unknown> | null
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]
  }
}

/** POSTs an operation over real HTTP, as a client would. */
export async function postGraphQL(
  url: string,
  query: string,
  options: { token?: string; headers?: Record<string, string>; variables?: Record<string, unknown> } = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

/** The `extensions.code` and Portcullis `extensions.auth.code` of each error, in order. */
export function errorCodes(body: GraphQLResponse['body']): { code: unknown; auth: unknown; path?: string }[] {
  return (body.errors ?? []).map((error) => ({
    code: error.extensions?.code,
    auth: (error.extensions?.auth as { code?: string } | undefined)?.code,
    ...(error.path && { path: error.path.join('.') }),
  }))
}
