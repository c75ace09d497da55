import { generateTestKey, type TestIssuer } from '@portcullis/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Auth, AuthError, type AuthInput, type AuthPolicy, type AuthResult } from '../../src/index.js'
import { APP_ID, APP_SECRET, fuzzTarget } from './fuzz-auth.js'
import { inProcess, PROPERTY_TIMEOUT_MS } from './fuzz-settings.js'
import {
  b64tokenChar,
  b64urlString,
  type ForgeryKit,
  forgedToken,
  framed,
  headerName,
  mutatedToken,
  sameSignedContent,
} from './token-arbitraries.js'

// Properties of `authenticate()` for hostile input (issue 10): it never accepts an unsigned or mis-signed
// token, never throws anything but AuthError, and never answers 5xx for something only the client controls.

let issuer: TestIssuer
let auth: Auth
let genuine: string[]
let kit: ForgeryKit

beforeAll(async () => {
  ;({ issuer, auth } = await fuzzTarget(['RS512', 'ES256', 'EdDSA', 'PS256']))
  genuine = await Promise.all([
    issuer.sign({ scope: 'read' }, { alg: 'RS512' }),
    issuer.sign({ scope: 'read', email: 'ada@corp.test' }, { alg: 'ES256' }),
    issuer.sign({ scope: 'read' }, { alg: 'EdDSA' }),
    issuer.sign({ scope: 'read' }, { alg: 'PS256' }),
  ])
  kit = {
    issuer,
    genuine,
    attackerKeys: [generateTestKey('ES256'), generateTestKey('RS512'), generateTestKey('EdDSA')],
  }
  // Every genuine token must pass, or "never accepts a forgery" would hold vacuously.
  for (const token of genuine) await auth.authenticate({ headers: { authorization: `Bearer ${token}` } })
})

afterAll(async () => {
  await auth?.close()
  await issuer?.close()
})

type Outcome = { accepted: AuthResult } | { refused: AuthError }

async function attempt(input: AuthInput, policy?: AuthPolicy): Promise<Outcome> {
  try {
    return { accepted: await auth.authenticate(input, policy) }
  } catch (error) {
    // The property: nothing but AuthError ever comes out, and never a 5xx for client input.
    if (!(error instanceof AuthError)) throw new Error(`authenticate threw a non-AuthError: ${String(error)}`)
    if (error.status >= 500) throw new Error(`client input answered ${error.status} ${error.code}`)
    return { refused: error }
  }
}

describe('authenticate() under fuzzing', () => {
  it(
    'refuses arbitrary Authorization values with a 4xx AuthError',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.string({ unit: 'binary', maxLength: 300 }),
            framed(fc.string({ unit: b64tokenChar, maxLength: 400 })),
            framed(
              fc
                .tuple(b64urlString(80), b64urlString(200), b64urlString(350))
                .map((parts) => parts.join('.')),
            ),
          ),
          async (value) => {
            const outcome = await attempt({ headers: { authorization: value } })
            expect('accepted' in outcome).toBe(false)
          },
        ),
        inProcess(1000),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'accepts a mutated genuine token only if it still carries the exact signed bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(framed(mutatedToken(genuine)), async (value) => {
          const outcome = await attempt({ headers: { authorization: value } })
          if ('accepted' in outcome) expect(sameSignedContent(outcome.accepted.token, genuine)).toBe(true)
        }),
        inProcess(1500),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'never accepts a token an attacker built (none, HS with public keys, own keys, junk, transplants)',
    async () => {
      await fc.assert(
        fc.asyncProperty(forgedToken(kit), async (token) => {
          const outcome = await attempt({ headers: { authorization: `Bearer ${token}` } })
          expect('accepted' in outcome).toBe(false)
        }),
        inProcess(1000),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'grants a party only for its genuine credential, whatever other headers come along (mode any / combined)',
    async () => {
      const value = fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.constantFrom(APP_ID, APP_SECRET, `${APP_SECRET} `, 'Bearer', ...genuine.map((t) => `Bearer ${t}`)),
        framed(mutatedToken(genuine)),
      )
      const headers = fc.dictionary(headerName, fc.oneof(value, fc.array(value, { maxLength: 3 })), {
        maxKeys: 6,
      })
      const policy = fc.constantFrom<AuthPolicy>(
        { mode: 'any' },
        { mode: 'combined' },
        { mode: 'project' },
        {},
      )
      await fc.assert(
        fc.asyncProperty(headers, policy, async (bag, chosen) => {
          const outcome = await attempt({ headers: bag }, chosen)
          if (!('accepted' in outcome)) return
          const { user, token, project } = outcome.accepted
          if (user) expect(sameSignedContent(token, genuine)).toBe(true)
          if (project) {
            // A header given as a one-element array is that one value (as Node hands repeated-once headers).
            const single = (v: unknown) => (Array.isArray(v) ? (v.length === 1 ? v[0] : v) : v)
            expect(single(bag['x-app-id'])).toBe(APP_ID)
            expect(single(bag['x-app-secret'])).toBe(APP_SECRET)
          }
          expect(user !== undefined || project !== undefined).toBe(true)
        }),
        inProcess(1000),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
