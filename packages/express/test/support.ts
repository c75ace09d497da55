import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type Auth, type AuthOptions, createAuth, type PortcullisConfigInput } from '@portcullis/core'
import {
  type MercuryStandIn,
  type MercuryStandInOptions,
  type RedisServer,
  startMercuryStandIn,
  startRedisServer,
  startTestIssuer,
  type TestIssuer,
} from '@portcullis/testing'
import express5, { type Express } from 'express'
import express4 from 'express4'
import { afterAll, afterEach, beforeAll } from 'vitest'

export const AUDIENCE = 'https://api.test'

const require = createRequire(import.meta.url)

/** Every suite runs against both majors; `version` is read from the installed package, not assumed. */
export const EXPRESS_VERSIONS = [
  {
    name: 'Express 5',
    express: express5,
    major: 5,
    version: require('express/package.json').version as string,
  },
  {
    name: 'Express 4',
    express: express4,
    major: 4,
    version: require('express4/package.json').version as string,
  },
]

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/**
 * One real issuer per test file, started before its tests and closed after them. One ES256 key: algorithms
 * are core's business, and skipping six RSA/EdDSA key generations keeps the suite quick.
 */
export function useIssuer(): () => TestIssuer {
  let issuer: TestIssuer | undefined
  beforeAll(async () => {
    issuer = await startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] })
  })
  afterAll(async () => {
    await issuer?.close()
  })
  return () => {
    if (!issuer) throw new Error('the issuer starts in beforeAll')
    return issuer
  }
}

/** A real Auth trusting `issuer`, closed after the test. */
export function authFor(
  issuer: TestIssuer,
  config: Partial<PortcullisConfigInput> = {},
  options: AuthOptions = {},
): Auth {
  const auth = createAuth({ audience: AUDIENCE, issuers: [{ issuer: issuer.url }], ...config }, options)
  cleanups.push(() => auth.close())
  return auth
}

/** `SIGNATURE_SHARED_SECRET` shared with the Mercury stand-in, and this service's id. */
export const SIGNING_SECRET = 'shared-signing-secret-for-tests-only'
export const SERVICE_ID = 'svc-orders'

/**
 * One real Mercury stand-in per test file (its RSA tenant keys are the slow part), started before its tests
 * and closed after them. Every test builds its own `Auth`, so no project cache crosses tests.
 */
export function useMercury(options: Omit<MercuryStandInOptions, 'signingSecret'>): () => MercuryStandIn {
  let mercury: MercuryStandIn | undefined
  beforeAll(async () => {
    mercury = await startMercuryStandIn({ signingSecret: SIGNING_SECRET, ...options })
  })
  afterAll(async () => {
    await mercury?.close()
  })
  return () => {
    if (!mercury) throw new Error('the Mercury stand-in starts in beforeAll')
    return mercury
  }
}

/** The config sections that turn project authentication on, against `mercury`. */
export function projectConfig(mercury: MercuryStandIn): Partial<PortcullisConfigInput> {
  return {
    mercury: { baseUrl: mercury.url, projectTokens: { tokenLiveness: 'off' } },
    projects: { signingSecret: SIGNING_SECRET },
    service: { id: SERVICE_ID },
  }
}

/** App credentials as a calling service sends them. */
export function appHeaders(appId: string, secret: string): Record<string, string> {
  return { 'x-app-id': appId, 'x-app-secret': secret }
}

/** A private redis-server, stopped after the test. */
export async function redisForTest(): Promise<RedisServer> {
  const server = await startRedisServer()
  cleanups.push(() => server.close())
  return server
}

/** Polls `check` until it passes; resolves with the milliseconds it took, or throws after `ms`. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`condition not met within ${ms} ms`)
}

/** Listens on 127.0.0.1 at a free port; the server is closed after the test. Returns the base URL. */
export async function serve(app: Express): Promise<string> {
  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Runs `action` after the current test (for state shared by the file, such as the issuer's fault mode). */
export function onCleanup(action: () => Promise<void> | void): void {
  cleanups.push(action)
}

export interface Reply {
  status: number
  headers: Headers
  body: unknown
}

/** GET (or `init.method`) over a real socket; JSON bodies are parsed, anything else is returned as text. */
export async function request(url: string, token?: string, init: RequestInit = {}): Promise<Reply> {
  const headers = new Headers(init.headers)
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
  const response = await fetch(url, { ...init, headers })
  const text = await response.text()
  const json = text !== '' && response.headers.get('content-type')?.startsWith('application/json')
  return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text }
}
