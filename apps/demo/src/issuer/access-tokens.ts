import { randomUUID } from 'node:crypto'
import { type JWTPayload, jwtVerify, SignJWT } from 'jose'
import { RESERVED_CLAIMS } from './claims-config.js'
import type { SigningKeys } from './signing-keys.js'

export interface TokenSubject {
  uuid: string
  email: string
  name: string
}

export interface MintRequest {
  subject: TokenSubject
  projectUuid: string
  scopes: readonly string[]
  /** Static and dynamic claims of an API key; reserved names were refused when the config was parsed. */
  extraClaims?: Readonly<Record<string, unknown>>
}

export interface MintedToken {
  token: string
  jti: string
  /** Epoch seconds. */
  exp: number
  kid: string
}

/** Mints Mercury-shape access tokens: `{ sub: { uuid, email, name }, project_uuid, type: 'access', ... }`, RS512. */
export class AccessTokens {
  readonly #issuer: string
  readonly #audience: string
  readonly #ttlSec: number
  readonly #keys: SigningKeys

  constructor(options: { issuer: string; audience: string; ttlSec: number; keys: SigningKeys }) {
    this.#issuer = options.issuer
    this.#audience = options.audience
    this.#ttlSec = options.ttlSec
    this.#keys = options.keys
  }

  get ttlSec(): number {
    return this.#ttlSec
  }

  async mint(request: MintRequest): Promise<MintedToken> {
    const now = Math.floor(Date.now() / 1000)
    const jti = randomUUID()
    const exp = now + this.#ttlSec
    const extra = Object.fromEntries(
      Object.entries(request.extraClaims ?? {}).filter(([name]) => !RESERVED_CLAIMS.has(name)),
    )
    const key = this.#keys.current
    const token = await new SignJWT({
      ...extra,
      sub: request.subject as unknown as string, // Mercury's object subject; jose does not restrict the type
      project_uuid: request.projectUuid,
      type: 'access',
      scope: request.scopes.join(' '),
    })
      .setProtectedHeader({ alg: 'RS512', kid: key.kid, typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey)
    return { token, jti, exp, kid: key.kid }
  }

  /**
   * Checks one of our own tokens with our own keys, ignoring revocation: what `POST /revoke` needs to learn
   * a token's `jti` and `exp`. (APIs, and `POST /decode`, verify through `@portcullis/core`.)
   */
  async verifyOwn(token: string): Promise<JWTPayload & { jti: string; exp: number }> {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : this.#keys.publicKey(header.kid)
        if (!key) throw new Error('unknown signing key')
        return key
      },
      { issuer: this.#issuer, audience: this.#audience, algorithms: ['RS512'] },
    )
    if (typeof payload.jti !== 'string' || typeof payload.exp !== 'number')
      throw new Error('token without jti or exp')
    return payload as JWTPayload & { jti: string; exp: number }
  }
}
