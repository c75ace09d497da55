import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type Auth, createAuth, type PortcullisConfigInput } from '@portcullis/core'
import { startTestIssuer, type TestIssuer } from '@portcullis/testing'
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
export function authFor(issuer: TestIssuer, config: Partial<PortcullisConfigInput> = {}): Auth {
  const auth = createAuth({ audience: AUDIENCE, issuers: [{ issuer: issuer.url }], ...config })
  cleanups.push(() => auth.close())
  return auth
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
