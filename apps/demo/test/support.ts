import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { type Auth, createAuth } from '@portcullis/core'
import { demoAuthConfig } from '../src/apis/auth-config.js'
import { demoClaimFunctions } from '../src/demo-claim-functions.js'
import { createIssuer, type Issuer } from '../src/issuer/issuer.js'
import { SigningKeys } from '../src/issuer/signing-keys.js'
import { closeServer, listen } from '../src/listen.js'

export const SIGNING_SECRET = 'test-signature-secret'
export const ADMIN_KEY = 'test-admin-key'
export const SERVICE_ID = 'portcullis-demo-api'
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url))

export interface IssuerUnderTest {
  url: string
  issuer: Issuer
  auth: Auth
  keys: SigningKeys
  /** POSTs JSON (or a form when `form` is true) and returns status, headers and parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>
  get(path: string, headers?: Record<string, string>): Promise<Answer>
  close(): Promise<void>
}

export interface Answer {
  status: number
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field
  body: any
}

/** The issuer alone, on a real loopback port, with the same core `Auth` wiring as the demo. */
export async function startIssuerUnderTest(
  options: { accessTokenTtlSec?: number } = {},
): Promise<IssuerUnderTest> {
  const server = createServer()
  const port = await listen(server, 0, '127.0.0.1', 'issuer')
  const url = `http://127.0.0.1:${port}`
  const keys = await SigningKeys.create({ maxTokenLifetimeSec: options.accessTokenTtlSec ?? 900 })
  const auth = createAuth(
    demoAuthConfig({
      issuerUrl: url,
      audience: 'portcullis-demo',
      signingSecret: SIGNING_SECRET,
      serviceId: SERVICE_ID,
      redisUrl: undefined,
    }),
  )
  const issuer = await createIssuer({
    url,
    audience: 'portcullis-demo',
    signingSecret: SIGNING_SECRET,
    adminKey: ADMIN_KEY,
    accessTokenTtlSec: options.accessTokenTtlSec ?? 900,
    refreshTokenTtlSec: 3600,
    auth,
    keys,
    dataDir: DATA_DIR,
    claimFunctions: demoClaimFunctions,
  })
  server.on('request', issuer.app)
  const request = async (path: string, init: RequestInit): Promise<Answer> => {
    const response = await fetch(url + path, init)
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {}
    return { status: response.status, headers: response.headers, body }
  }
  return {
    url,
    issuer,
    auth,
    keys,
    post: (path, body, headers = {}) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    get: (path, headers = {}) => request(path, { headers }),
    close: async () => {
      issuer.close()
      await closeServer(server)
      await auth.close()
    },
  }
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'))
}
