import { randomUUID } from 'node:crypto'
import type { JWK } from 'jose'
import { isTestAlg, type TestAlg } from './algorithms.js'
import { buildCompactJws } from './compact-jws.js'
import { buildDiscoveryDocument } from './discovery-document.js'
import { type FaultMode, IssuerHttpServer, type IssuerRoute } from './issuer-http-server.js'
import { mergeDroppingUndefined } from './merge-dropping-undefined.js'
import { PublishedKeySet } from './published-key-set.js'
import type { NewKeySpec, SignOptions, SignRawOptions, TestIssuer, TestIssuerOptions } from './test-issuer.js'
import { generateTestKey, generateTestKeyInBackground, type TestKey } from './test-key.js'

const DEFAULT_ALGS: readonly TestAlg[] = ['RS512', 'RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'EdDSA']

/** Starts a local OIDC issuer on 127.0.0.1 at a free port, with one fresh key per alg. */
export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const algs = options.algs ?? DEFAULT_ALGS
  const modulusLength = options.rsaModulusLength ?? 2048
  let issuer: LocalTestIssuer | undefined
  const [server, ...keys] = await Promise.all([
    IssuerHttpServer.listen((pathname) => issuer?.route(pathname)),
    ...algs.map((alg) => generateTestKeyInBackground(alg, { modulusLength })),
  ])
  issuer = new LocalTestIssuer(server, keys, {
    issuerPath: normalizeIssuerPath(options.issuerPath ?? ''),
    audience: options.audience ?? 'https://api.test',
    defaultAlg: algs[0] ?? 'RS512',
    modulusLength,
  })
  return issuer
}

function normalizeIssuerPath(issuerPath: string): string {
  return issuerPath === '' || issuerPath.startsWith('/') ? issuerPath : `/${issuerPath}`
}

interface ResolvedOptions {
  issuerPath: string
  audience: string
  defaultAlg: TestAlg
  modulusLength: number
}

class LocalTestIssuer implements TestIssuer {
  readonly url: string
  readonly origin: string
  readonly jwksUri: string
  readonly discoveryUrl: string

  readonly #server: IssuerHttpServer
  readonly #keySet = new PublishedKeySet()
  readonly #options: ResolvedOptions
  readonly #jwksPaths: string[]
  readonly #discoveryPath: string
  readonly #endpointBase: string
  #discoveryOverrides: Record<string, unknown> = {}

  constructor(server: IssuerHttpServer, keys: TestKey[], options: ResolvedOptions) {
    this.#server = server
    this.#options = options
    for (const key of keys) this.#keySet.add(key)

    // Endpoints hang under the issuer without doubling a trailing slash the issuer may keep.
    const basePath = options.issuerPath.replace(/\/+$/, '')
    this.origin = server.origin
    this.url = server.origin + options.issuerPath
    this.#endpointBase = server.origin + basePath
    this.jwksUri = `${this.#endpointBase}/.well-known/jwks.json`
    this.discoveryUrl = `${this.#endpointBase}/.well-known/openid-configuration`
    this.#jwksPaths = [`${basePath}/.well-known/jwks.json`, `${basePath}/jwks`]
    this.#discoveryPath = `${basePath}/.well-known/openid-configuration`
  }

  /** Called by the HTTP server for each request path. */
  route(pathname: string): IssuerRoute | undefined {
    if (this.#jwksPaths.includes(pathname)) {
      return { endpoint: 'jwks', document: () => this.#keySet.toJwks() }
    }
    if (pathname === this.#discoveryPath) {
      return {
        endpoint: 'discovery',
        document: () =>
          buildDiscoveryDocument({
            issuer: this.url,
            jwksUri: this.jwksUri,
            endpointBase: this.#endpointBase,
            signingAlgs: this.#keySet.algs(),
            overrides: this.#discoveryOverrides,
          }),
      }
    }
    return undefined
  }

  get keys(): readonly TestKey[] {
    return this.#keySet.keys
  }

  key(alg: TestAlg): TestKey {
    return this.#keySet.newest(alg)
  }

  async sign(claims: Record<string, unknown> = {}, options: SignOptions = {}): Promise<string> {
    const key = this.#resolveKey(options)
    const now = Math.floor(Date.now() / 1000)
    const payload = mergeDroppingUndefined(
      {
        iss: this.url,
        sub: 'user-1',
        aud: this.#options.audience,
        iat: now,
        exp: now + (options.expiresIn ?? 300),
        jti: randomUUID(),
      },
      claims,
    )
    const header = mergeDroppingUndefined({ alg: key.alg, typ: 'JWT', kid: key.kid }, options.header)
    return buildCompactJws(header, payload, { key })
  }

  signRaw(
    header: Record<string, unknown> | string,
    payload: Record<string, unknown> | string,
    options: SignRawOptions = {},
  ): string {
    const { signature, hmacSecret } = options
    if (signature !== undefined || hmacSecret !== undefined) {
      return buildCompactJws(header, payload, { key: options.key, signature, hmacSecret })
    }
    return buildCompactJws(header, payload, { key: this.#resolveKey(this.#keyChoiceFor(header, options)) })
  }

  rotate(alg: TestAlg = this.#options.defaultAlg): TestKey {
    return this.addKey({ alg })
  }

  removeKey(kid: string): void {
    this.#keySet.remove(kid)
  }

  addKey(keyOrSpec: TestKey | NewKeySpec): TestKey {
    const key =
      'privateKey' in keyOrSpec
        ? keyOrSpec
        : generateTestKey(keyOrSpec.alg, {
            kid: keyOrSpec.kid,
            modulusLength: keyOrSpec.modulusLength ?? this.#options.modulusLength,
          })
    this.#keySet.add(key)
    return key
  }

  publishJwk(jwk: JWK): void {
    this.#keySet.addRawJwk(jwk)
  }

  setMode(mode: FaultMode): void {
    this.#server.mode = mode
  }

  get slowMs(): number {
    return this.#server.slowMs
  }

  set slowMs(milliseconds: number) {
    this.#server.slowMs = milliseconds
  }

  get counts(): { readonly jwks: number; readonly discovery: number } {
    return { ...this.#server.counts }
  }

  resetCounts(): void {
    this.#server.resetCounts()
  }

  setDiscovery(overrides: Record<string, unknown>): void {
    this.#discoveryOverrides = { ...overrides }
  }

  close(): Promise<void> {
    return this.#server.close()
  }

  #resolveKey(choice: { key?: TestKey; kid?: string; alg?: TestAlg }): TestKey {
    const key =
      choice.key ??
      (choice.kid !== undefined
        ? this.#keySet.byKid(choice.kid)
        : this.#keySet.newest(choice.alg ?? this.#options.defaultAlg))
    if (choice.alg !== undefined && key.alg !== choice.alg) {
      throw new Error(`key "${key.kid}" is ${key.alg}, not ${choice.alg}`)
    }
    return key
  }

  /** Explicit options win; otherwise an object header's kid or alg picks the key, if the issuer has one. */
  #keyChoiceFor(header: Record<string, unknown> | string, options: SignRawOptions) {
    if (options.key || options.kid !== undefined || options.alg !== undefined) return options
    if (typeof header === 'string') return {}
    if (typeof header.kid === 'string' && this.#keySet.hasKid(header.kid)) return { kid: header.kid }
    if (isTestAlg(header.alg) && this.#keySet.keys.some((key) => key.alg === header.alg)) {
      return { alg: header.alg }
    }
    return {}
  }
}
