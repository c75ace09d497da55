import type { JWK } from 'jose'
import type { TestAlg } from './algorithms.js'
import type { CompactJwsSigner } from './compact-jws.js'
import type { FaultMode } from './loopback-server.js'
import type { TestKey } from './test-key.js'

export interface TestIssuerOptions {
  /** Keys created at start, one per alg. Default ['RS512','RS256','RS384','PS256','ES256','ES384','EdDSA']. */
  algs?: readonly TestAlg[]
  /** The issuer is `http://127.0.0.1:PORT` + issuerPath, kept exactly (a trailing slash stays). Default ''. */
  issuerPath?: string
  /** Default `aud` of minted tokens. Default 'https://api.test'. */
  audience?: string
  /** RSA modulus length for generated RS and PS keys. Default 2048. */
  rsaModulusLength?: number
}

export interface SignOptions {
  /** Sign with the newest published key for this alg. Default: the issuer's first alg (RS512). */
  alg?: TestAlg
  /** Sign with the key of this kid, even if it has been removed from the JWKS. */
  kid?: string
  /** Sign with this key, published or not. */
  key?: TestKey
  /** Merged over {alg, typ:'JWT', kid}; a member set to undefined removes it. */
  header?: Record<string, unknown>
  /** Lifetime in seconds, giving exp = iat + expiresIn. Default 300. */
  expiresIn?: number
}

export interface SignRawOptions extends CompactJwsSigner {
  /** Sign with the newest published key for this alg. */
  alg?: TestAlg
  /** Sign with the key of this kid, even if it has been removed from the JWKS. */
  kid?: string
}

/** Spec for addKey when the issuer should generate the key. */
export interface NewKeySpec {
  alg: TestAlg
  kid?: string
  /** RSA modulus length, e.g. 1024 for a weak key. Default: the issuer's rsaModulusLength. */
  modulusLength?: number
}

/** A real OIDC issuer on 127.0.0.1: serves discovery and JWKS, mints tokens, rotates keys, fakes outages. */
export interface TestIssuer {
  /** The issuer identifier, the `iss` of minted tokens. */
  readonly url: string
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  /** `${url}/.well-known/jwks.json`; the same JWKS is also served at `${url}/jwks`. */
  readonly jwksUri: string
  /** `${url}/.well-known/openid-configuration` */
  readonly discoveryUrl: string
  /** The keys currently published in the JWKS, oldest first (raw JWKs from publishJwk excluded). */
  readonly keys: readonly TestKey[]
  /** The newest published key for `alg`; throws if there is none. */
  key(alg: TestAlg): TestKey
  /**
   * Signs a JWT. Defaults: iss=url, aud=audience, sub='user-1', iat=now, exp=now+300, jti=random
   * uuid, no nbf; header {alg, typ:'JWT', kid}. A claim set to undefined removes it.
   */
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>
  /**
   * Builds a token from any header and payload (strings are used verbatim as the JSON text).
   * Signed with options.key / kid / alg, else the key named by the header's kid or alg, else the
   * default key; or with options.signature or options.hmacSecret (HS256) instead.
   */
  signRaw(
    header: Record<string, unknown> | string,
    payload: Record<string, unknown> | string,
    options?: SignRawOptions,
  ): string
  /** Publishes a new key for alg (default: the issuer's first alg, RS512); it becomes that alg's signer. */
  rotate(alg?: TestAlg): TestKey
  /** Stops publishing the key (and any publishJwk entry) with this kid; throws if none is published. */
  removeKey(kid: string): void
  /** Publishes a given key, or generates one from the spec; it becomes the newest key for its alg. */
  addKey(key: TestKey | NewKeySpec): TestKey
  /** Publishes a JWK exactly as given (wrong `use`, odd `key_ops`, invalid points...). */
  publishJwk(jwk: JWK): void
  /** How every following request is answered; see FaultMode. */
  setMode(mode: FaultMode): void
  /** Delay in 'slow' mode, in milliseconds. Default 2000. */
  slowMs: number
  /** Requests seen per endpoint, whatever the mode (the /jwks alias counts as jwks). A snapshot. */
  readonly counts: { readonly jwks: number; readonly discovery: number }
  resetCounts(): void
  /** Replaces the discovery overrides; a member set to undefined is removed from the document. */
  setDiscovery(overrides: Record<string, unknown>): void
  /** Stops the server and drops every open connection, keep-alive included. */
  close(): Promise<void>
}
