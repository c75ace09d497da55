import { startTestIssuer, type TestIssuer, type TestIssuerOptions } from '@portcullis/testing'
import { afterEach } from 'vitest'
import {
  type Auth,
  type AuthInput,
  createAuth,
  type IssuerConfigInput,
  type PortcullisConfigInput,
} from '../src/index.js'

export const AUDIENCE = 'https://api.test'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/** A real issuer on 127.0.0.1, closed after the test. */
export async function issuerForTest(options?: TestIssuerOptions): Promise<TestIssuer> {
  const issuer = await startTestIssuer({ audience: AUDIENCE, ...options })
  cleanups.push(() => issuer.close())
  return issuer
}

/** An Auth trusting `issuer` (generic preset unless overridden), closed after the test. */
export function authFor(
  issuer: TestIssuer | readonly TestIssuer[],
  issuerConfig: Partial<IssuerConfigInput> = {},
  config: Partial<PortcullisConfigInput> = {},
): Auth {
  const list = Array.isArray(issuer) ? issuer : [issuer as TestIssuer]
  const auth = createAuth({
    audience: AUDIENCE,
    ...config,
    issuers: list.map((one) => ({ issuer: one.url, ...issuerConfig })),
  })
  cleanups.push(() => auth.close())
  return auth
}

export function bearer(token: string): AuthInput {
  return { headers: { authorization: `Bearer ${token}` } }
}

/** The AuthError code a rejected authenticate() carries (fails the test if it resolves). */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code ?? `non-AuthError: ${String(error)}`
  }
  throw new Error('expected a rejection, but authenticate() resolved')
}

/** 'ok' when authenticate() resolves, else the AuthError code: for polling until a state change shows. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return (error as { code?: string }).code ?? `non-AuthError: ${String(error)}`
  }
}
