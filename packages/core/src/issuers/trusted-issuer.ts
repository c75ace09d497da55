import { ConfigError } from '../config/errors.js'
import type { ClaimsCheck, IssuerConfig, PortcullisConfig } from '../config/schema.js'
import { type JwsAlgorithm, keyMismatch } from '../jwt/algorithms.js'
import { importPemKey, importSecretKey, importVerificationJwk } from '../keys/import.js'
import { KeySet } from '../keys/key-set.js'
import type { KeySource } from '../keys/key-source.js'
import type { KeySetFetchEvent } from '../keys/remote-key-source.js'
import { RemoteKeySource } from '../keys/remote-key-source.js'
import { StaticKeySource } from '../keys/static-key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { PRESETS } from '../presets/index.js'
import type { Preset } from '../presets/types.js'
import type { SharedStore } from '../store/shared-store.js'

/** One configured issuer, resolved once at start-up into what the per-token path reads. */
export interface TrustedIssuer {
  readonly issuer: string
  readonly preset: Preset
  readonly config: IssuerConfig
  readonly algorithms: ReadonlySet<string>
  readonly audiences: ReadonlySet<string>
  /** Whether the generic `aud` check applies (false when the preset checks the audience itself). */
  readonly checkAudience: boolean
  readonly clockToleranceSec: number
  readonly requiredClaims: readonly string[]
  /** Lower-cased `typ` without an `application/` prefix, if required. */
  readonly typ: string | undefined
  readonly tokenType: string | undefined
  readonly maxTokenAgeSec: number | undefined
  readonly resource: string | undefined
  readonly claimsCheck: ClaimsCheck | undefined
  readonly keys: KeySource
}

export interface IssuerContext {
  config: PortcullisConfig
  onKeySetFetch?: (event: KeySetFetchEvent) => void
  /** Where remote key sets are shared between instances (Redis), if anywhere. */
  sharedStore?: SharedStore
}

/** Builds the issuer table, keyed by exact `iss`. Throws `ConfigError` for what cannot work. */
export function createTrustedIssuers({
  config,
  onKeySetFetch,
  sharedStore,
}: IssuerContext): Map<string, TrustedIssuer> {
  const issuers = new Map<string, TrustedIssuer>()
  config.issuers.forEach((issuerConfig, index) => {
    const preset = PRESETS[issuerConfig.preset]
    const issuer = issuerConfig.issuer ?? preset.issuerFor?.(issuerConfig)
    if (!issuer) {
      throw new ConfigError([
        { path: `issuers[${index}].issuer`, message: 'required (this preset cannot derive it)' },
      ])
    }
    if (issuers.has(issuer)) {
      throw new ConfigError([{ path: `issuers[${index}].issuer`, message: `${issuer} is configured twice` }])
    }
    const audience = issuerConfig.audience ?? config.audience ?? []
    const algorithms = issuerConfig.algorithms ?? preset.algorithms
    issuers.set(issuer, {
      issuer,
      preset,
      config: issuerConfig,
      algorithms: new Set(algorithms),
      audiences: new Set(typeof audience === 'string' ? [audience] : audience),
      checkAudience: !(preset.checksAudience?.(issuerConfig) ?? false),
      clockToleranceSec: issuerConfig.clockToleranceSec ?? config.clockToleranceSec,
      requiredClaims: issuerConfig.requiredClaims,
      typ: issuerConfig.typ === undefined ? undefined : normalizeTyp(issuerConfig.typ),
      tokenType: issuerConfig.tokenType ?? preset.tokenType,
      maxTokenAgeSec: issuerConfig.maxTokenAgeSec,
      resource: issuerConfig.resource,
      claimsCheck: issuerConfig.claimsCheck,
      keys: createKeySource(issuer, issuerConfig, algorithms, index, config, onKeySetFetch, sharedStore),
    })
  })
  return issuers
}

/** RFC 8725 §3.11 / RFC 9068: `typ` compares case-insensitively, with or without `application/`. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/** Key sources in precedence: static PEM/JWK → HS secret → jwksUri → discovery → `/.well-known/jwks.json`. */
function createKeySource(
  issuer: string,
  issuerConfig: IssuerConfig,
  algorithms: readonly JwsAlgorithm[],
  index: number,
  config: PortcullisConfig,
  onFetch: ((event: KeySetFetchEvent) => void) | undefined,
  shared: SharedStore | undefined,
): KeySource {
  if (issuerConfig.publicKeys) {
    return new StaticKeySource(importStaticKeys(issuerConfig.publicKeys, algorithms, index))
  }
  if (issuerConfig.hsSecret !== undefined) {
    return new StaticKeySource(Promise.resolve(new KeySet([importSecretKey(issuerConfig.hsSecret)])))
  }
  const jwks = config.jwks
  return new RemoteKeySource({
    issuer,
    discovery: issuerConfig.discovery,
    ...(issuerConfig.jwksUri !== undefined && { jwksUri: issuerConfig.jwksUri }),
    ...(issuerConfig.discoveryUrl !== undefined && { discoveryUrl: issuerConfig.discoveryUrl }),
    ttlMs: jwks.ttlSec * 1000,
    cooldownMs: jwks.cooldownSec * 1000,
    staleIfErrorMs: jwks.staleIfErrorSec * 1000,
    timeoutMs: jwks.timeoutMs,
    maxBytes: jwks.maxBytes,
    ...(onFetch !== undefined && { onFetch }),
    ...(shared !== undefined && { shared }),
  })
}

/** PEM keys are checked synchronously so a bad one fails `createAuth`; JWKs (jose imports) settle a moment later. */
function importStaticKeys(
  keys: readonly (string | Record<string, unknown>)[],
  algorithms: readonly JwsAlgorithm[],
  index: number,
): Promise<KeySet> {
  const pending = keys.map((key, position) => {
    const path = `issuers[${index}].publicKeys[${position}]`
    if (typeof key !== 'string') {
      return importVerificationJwk(key).then((result) => {
        if ('skipped' in result) throw new ConfigError([{ path, message: `unusable JWK: ${result.skipped}` }])
        return result.key
      })
    }
    let imported: VerificationKey
    try {
      imported = importPemKey(key)
    } catch (error) {
      throw new ConfigError([
        { path, message: `not a PEM public key or certificate (${(error as Error).message})` },
      ])
    }
    const mismatches = algorithms.map((alg) => keyMismatch(imported.key, alg))
    if (mismatches.every((reason) => reason !== undefined)) {
      throw new ConfigError([{ path, message: `fits none of the issuer's algorithms (${mismatches[0]})` }])
    }
    return imported
  })
  return Promise.all(pending).then((imported) => new KeySet(imported))
}
