import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto'
import { type CryptoKey, importJWK, type JWK } from 'jose'
import { isAsymmetricAlgorithm, type JwsAlgorithm, keyMismatch } from '../jwt/algorithms.js'
import { VerificationKey } from './verification-key.js'

// jose binds a CryptoKey to one algorithm at import; a JWK without `alg` is imported under the family's
// representative and then used as a plain KeyObject, pinned only by our own allowlist checks.
const IMPORT_ALG_BY_SHAPE: Record<string, JwsAlgorithm> = {
  RSA: 'RS256',
  'EC:P-256': 'ES256',
  'EC:P-384': 'ES384',
  'EC:P-521': 'ES512',
  'OKP:Ed25519': 'EdDSA',
  'OKP:Ed448': 'EdDSA',
}

/** The outcome of importing one JWK from a key set: a key, or why it was skipped. */
export type JwkImport = { key: VerificationKey } | { skipped: string }

/**
 * Imports one public JWK for signature verification, refusing what must never verify a token:
 * symmetric or private keys in a key set, keys whose `use` / `key_ops` exclude verification,
 * unknown algorithms, invalid curve points, RSA keys under 2048 bits.
 */
export async function importVerificationJwk(value: unknown): Promise<JwkImport> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { skipped: 'not a JSON object' }
  const jwk = value as JWK
  if (typeof jwk.kty !== 'string') return { skipped: 'no kty' }
  if (jwk.kty === 'oct') return { skipped: 'symmetric keys are never taken from a key set' }
  if ('d' in jwk || 'p' in jwk || 'q' in jwk) return { skipped: 'a key set must not publish private keys' }
  if (jwk.use !== undefined && jwk.use !== 'sig') return { skipped: `use is ${String(jwk.use)}` }
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return { skipped: 'key_ops exclude verify' }
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return { skipped: 'kid is not a string' }
  if (jwk.alg !== undefined && !(typeof jwk.alg === 'string' && isAsymmetricAlgorithm(jwk.alg))) {
    return { skipped: `alg ${String(jwk.alg)} is not supported` }
  }
  const pinned = jwk.alg as JwsAlgorithm | undefined
  const importAlg = pinned ?? IMPORT_ALG_BY_SHAPE[jwk.kty === 'RSA' ? 'RSA' : `${jwk.kty}:${String(jwk.crv)}`]
  if (importAlg === undefined) return { skipped: `unsupported key type ${jwk.kty}` }

  let key: KeyObject
  try {
    const { key_ops: _ops, use: _use, ext: _ext, ...publicPart } = jwk
    key = KeyObject.from(
      (await importJWK(publicPart, importAlg)) as CryptoKey as Parameters<typeof KeyObject.from>[0],
    )
  } catch (error) {
    return { skipped: `import failed: ${(error as Error).message}` }
  }
  const mismatch = keyMismatch(key, importAlg)
  if (mismatch) return { skipped: mismatch }
  return { key: new VerificationKey(key, jwk.kid, pinned) }
}

/** Imports a PEM public key or X.509 certificate given in configuration. Throws on anything unusable. */
export function importPemKey(pem: string, kid?: string, alg?: JwsAlgorithm): VerificationKey {
  // createPublicKey would derive the public half of a private key; a private key in config is a leak to refuse.
  if (/PRIVATE KEY/.test(pem)) throw new Error('a private key was given where a public key belongs')
  const key = createPublicKey(pem)
  return new VerificationKey(key, kid, alg)
}

/** A shared HMAC secret, for issuers explicitly configured with `hsSecret`. */
export function importSecretKey(secret: string | Uint8Array, alg?: JwsAlgorithm): VerificationKey {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
  return new VerificationKey(createSecretKey(bytes), undefined, alg)
}
