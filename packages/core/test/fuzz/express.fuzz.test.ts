import { generateTestKey, type TestIssuer } from '@portcullis/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Auth } from '../../src/index.js'
import { type GuardedServer, type RawResponse, rawRequest, startGuardedServer } from './express-app.js'
import { APP_ID, APP_SECRET, fuzzTarget } from './fuzz-auth.js'
import { overHttp, PROPERTY_TIMEOUT_MS } from './fuzz-settings.js'
import {
  forgedToken,
  framed,
  headerName,
  mutatedToken,
  onTheWire,
  sameSignedContent,
  wireValue,
} from './token-arbitraries.js'

// The same properties through the Express adapter over real HTTP (issue 10): a client never gets a 5xx for
// what it sends, and a 200 only for a genuine credential.

/** Headers that change HTTP framing or routing rather than what the app sees. */
const FRAMING = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'proxy-connection',
])

let issuer: TestIssuer
let auth: Auth
let server: GuardedServer
let genuine: string[]

beforeAll(async () => {
  ;({ issuer, auth } = await fuzzTarget(['ES256', 'RS512']))
  server = await startGuardedServer(auth)
  genuine = await Promise.all([
    issuer.sign({ scope: 'read' }, { alg: 'ES256' }),
    issuer.sign({ scope: 'read' }, { alg: 'RS512' }),
  ])
  for (const token of genuine) {
    expect((await rawRequest(server.port, '/me', [['authorization', `Bearer ${token}`]])).status).toBe(200)
  }
})

afterAll(async () => {
  await server?.close()
  await auth?.close()
  await issuer?.close()
})

interface Body {
  auth?: { user?: unknown; token?: string; project?: unknown }
}

function parsed(response: RawResponse): Body {
  try {
    return JSON.parse(response.body) as Body
  } catch {
    return {}
  }
}

/** No 5xx for client input; every answer is a status Portcullis or Node documents. */
function expectClientAnswer(response: RawResponse): void {
  expect(response.status).toBeLessThan(500)
  expect([200, 400, 401, 403, 404, 429, 431]).toContain(response.status)
}

describe('the Express adapter over HTTP under fuzzing', () => {
  it(
    'answers every Authorization value with a 4xx, or 200 only for the exact signed bytes of a genuine token',
    async () => {
      const kit = { issuer, genuine, attackerKeys: [generateTestKey('ES256')] }
      const value = onTheWire(
        fc.oneof(
          framed(mutatedToken(genuine)),
          forgedToken(kit).map((token) => `Bearer ${token}`),
          wireValue,
        ),
      )
      await fc.assert(
        fc.asyncProperty(value, async (authorization) => {
          const response = await rawRequest(server.port, '/me', [['authorization', authorization]])
          expectClientAnswer(response)
          if (response.status === 200)
            expect(sameSignedContent(parsed(response).auth?.token, genuine)).toBe(true)
        }),
        overHttp(200),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'answers arbitrary, repeated and mixed credential headers with a 4xx, or 200 only for genuine credentials',
    async () => {
      const value = onTheWire(
        fc.oneof(
          wireValue,
          fc.constantFrom(APP_ID, APP_SECRET, 'Bearer', ...genuine.map((token) => `Bearer ${token}`)),
          framed(mutatedToken(genuine)),
        ),
      )
      const headers = fc
        .array(fc.tuple(headerName, value), { maxLength: 6 })
        .map((pairs) => pairs.filter(([name]) => !FRAMING.has(name)))
      const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH')
      await fc.assert(
        fc.asyncProperty(headers, method, async (pairs, verb) => {
          const response = await rawRequest(server.port, '/any', pairs, verb)
          expectClientAnswer(response)
          if (response.status !== 200) return
          const body = parsed(response).auth ?? {}
          if (body.user) expect(sameSignedContent(body.token, genuine)).toBe(true)
          if (body.project) {
            // Node keeps the first of repeated unknown headers joined; Portcullis must have seen exactly these.
            expect(pairs.filter(([name]) => name === 'x-app-id').map(([, v]) => v.trim())).toEqual([APP_ID])
            expect(pairs.filter(([name]) => name === 'x-app-secret').map(([, v]) => v.trim())).toEqual([
              APP_SECRET,
            ])
          }
          expect(body.user !== undefined || body.project !== undefined).toBe(true)
        }),
        overHttp(200),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
