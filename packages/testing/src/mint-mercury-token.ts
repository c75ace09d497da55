import type { TestIssuer } from './test-issuer.js'

export interface MercuryUser {
  uuid: string
  email: string
  name: string
}

export interface MintMercuryTokenOptions {
  /** `project_uuid` claim. Default MERCURY_TEST_PROJECT_UUID. */
  projectUuid?: string
  /** Merged over the Mercury claims; a claim set to undefined removes it. */
  claims?: Record<string, unknown>
  /** Lifetime in seconds. Default 300. */
  expiresIn?: number
  /** Sign with this kid instead of the issuer's newest RS512 key. */
  kid?: string
}

/** The user a Mercury token carries unless told otherwise. */
export const MERCURY_TEST_USER: Readonly<MercuryUser> = Object.freeze({
  uuid: '5b0d9c1e-2f4a-4c8e-9a77-3d1e6f0b8a21',
  email: 'ada@example.test',
  name: 'Ada Lovelace',
})

export const MERCURY_TEST_PROJECT_UUID = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f'

/**
 * Mints a token shaped like Mercury's access tokens, signed RS512:
 * { sub: { uuid, email, name }, project_uuid, type: 'access', iss, aud, exp, nbf, iat, jti }.
 */
export function mintMercuryToken(
  issuer: TestIssuer,
  user: Partial<MercuryUser> = {},
  options: MintMercuryTokenOptions = {},
): Promise<string> {
  // One clock reading for iat, nbf and exp, so nbf can never land a second after iat.
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    sub: { ...MERCURY_TEST_USER, ...user },
    project_uuid: options.projectUuid ?? MERCURY_TEST_PROJECT_UUID,
    type: 'access',
    iat: now,
    nbf: now,
    exp: now + (options.expiresIn ?? 300),
    ...options.claims,
  }
  return issuer.sign(claims, options.kid !== undefined ? { kid: options.kid } : { alg: 'RS512' })
}
