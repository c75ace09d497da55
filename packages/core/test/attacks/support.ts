import { startTestIssuer, type TestIssuer, type TestIssuerOptions } from '@portcullis/testing'
import { afterAll, beforeAll } from 'vitest'
import {
  type Auth,
  AuthError,
  type AuthInput,
  type AuthPolicy,
  createAuth,
  type IssuerConfigInput,
  type PortcullisConfigInput,
} from '../../src/index.js'
import { AUDIENCE } from '../setup.js'

export { AUDIENCE }

/** base64url of a string used verbatim, or of an object's JSON. */
export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

export const nowSec = (): number => Math.floor(Date.now() / 1000)

/** One real issuer and one Auth trusting it, shared by a file's cases (stateless attacks only). */
export interface Target {
  issuer: TestIssuer
  auth: Auth
  /** Claims a genuine token would carry, plus `extra` (a member set to undefined is dropped). */
  claims(extra?: Record<string, unknown>): Record<string, unknown>
}

export function useTarget(
  options: TestIssuerOptions = {},
  issuerConfig: Partial<IssuerConfigInput> = {},
  config: Partial<PortcullisConfigInput> = {},
): () => Target {
  let target: Target | undefined
  beforeAll(async () => {
    const issuer = await startTestIssuer({ audience: AUDIENCE, ...options })
    const auth = createAuth({
      audience: AUDIENCE,
      rateLimit: { enabled: false },
      ...config,
      issuers: [{ issuer: issuer.url, ...issuerConfig }],
    })
    await auth.ready()
    target = {
      issuer,
      auth,
      claims: (extra = {}) => {
        const now = nowSec()
        const claims: Record<string, unknown> = {
          iss: issuer.url,
          aud: AUDIENCE,
          sub: 'mallory',
          iat: now,
          exp: now + 300,
          ...extra,
        }
        for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
        return claims
      },
    }
  })
  afterAll(async () => {
    await target?.auth.close()
    await target?.issuer.close()
  })
  return () => {
    if (!target) throw new Error('the target starts in beforeAll')
    return target
  }
}

export function bearerInput(token: string): AuthInput {
  return { headers: { authorization: `Bearer ${token}` } }
}

/**
 * What a request gets: 'ok' when authenticate() resolves, else the AuthError code. Anything thrown that is
 * not an AuthError is reported as such, so a case expecting a code fails loudly on it.
 */
export async function verdict(auth: Auth, input: AuthInput, policy?: AuthPolicy): Promise<string> {
  try {
    await auth.authenticate(input, policy)
    return 'ok'
  } catch (error) {
    return error instanceof AuthError ? error.code : `not an AuthError: ${String(error)}`
  }
}

export function verdictFor(auth: Auth, token: string, policy?: AuthPolicy): Promise<string> {
  return verdict(auth, bearerInput(token), policy)
}

/** The three segments of a compact JWS. */
export function segments(token: string): [string, string, string] {
  const parts = token.split('.')
  if (parts.length !== 3) throw new Error(`not a compact JWS: ${parts.length} parts`)
  return parts as [string, string, string]
}

/** ECDSA curve orders (RFC 7518 §3.4 curves), for psychic-signature and range cases. */
export const CURVE_ORDER = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512:
    0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
} as const

export const SIGNATURE_BYTES = { ES256: 64, ES384: 96, ES512: 132 } as const

export function toFixedBytes(value: bigint, bytes: number): Buffer {
  const hex = value.toString(16).padStart(bytes * 2, '0')
  if (hex.length > bytes * 2) throw new Error('value does not fit')
  return Buffer.from(hex, 'hex')
}

export function fromBytes(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`)
}
