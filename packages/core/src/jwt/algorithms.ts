import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from 'node:crypto'

/** Every JWS algorithm Portcullis verifies. Asymmetric ones are the default; HS* needs an explicit opt-in. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number]
export type SymmetricAlgorithm = (typeof SYMMETRIC_ALGORITHMS)[number]
export type JwsAlgorithm = AsymmetricAlgorithm | SymmetricAlgorithm

const asymmetric = new Set<string>(ASYMMETRIC_ALGORITHMS)
const symmetric = new Set<string>(SYMMETRIC_ALGORITHMS)

export function isAsymmetricAlgorithm(alg: string): alg is AsymmetricAlgorithm {
  return asymmetric.has(alg)
}
export function isSymmetricAlgorithm(alg: string): alg is SymmetricAlgorithm {
  return symmetric.has(alg)
}

/** Checks a signature over `input`. Built once per (key, alg) so the per-token call allocates nothing. */
export type SignatureVerifier = (input: Buffer, signature: Buffer) => boolean

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }
const EC_CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' }
// JWS ECDSA signatures are raw r||s, twice the field size (RFC 7518 §3.4).
const EC_SIGNATURE_BYTES: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 }

export const MIN_RSA_MODULUS_BITS = 2048

/**
 * Why a key cannot be used with `alg`, or undefined when it can. Checked when a key is imported,
 * so algorithm confusion (an RSA key used for HS256, a P-256 key for ES384) never reaches verification.
 */
export function keyMismatch(key: KeyObject, alg: JwsAlgorithm): string | undefined {
  const family = alg.slice(0, 2)
  if (family === 'HS') return key.type === 'secret' ? undefined : 'HS algorithms need a secret key'
  if (key.type !== 'public') return 'a public key is required'
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  switch (family) {
    case 'RS':
    case 'PS':
      if (type !== 'rsa' && !(family === 'PS' && type === 'rsa-pss')) return `${alg} needs an RSA key`
      if ((details?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS)
        return `RSA keys under ${MIN_RSA_MODULUS_BITS} bits are refused`
      return undefined
    case 'ES':
      if (type !== 'ec') return `${alg} needs an EC key`
      return details?.namedCurve === EC_CURVE[alg] ? undefined : `${alg} needs curve ${EC_CURVE[alg]}`
    default:
      // EdDSA covers Ed25519 and Ed448 (RFC 8037); the fully-specified Ed25519 alg only Ed25519.
      if (alg === 'Ed25519') return type === 'ed25519' ? undefined : 'Ed25519 needs an Ed25519 key'
      return type === 'ed25519' || type === 'ed448' ? undefined : 'EdDSA needs an OKP key'
  }
}

/** Builds the verifier for a key already checked with `keyMismatch`. */
export function createSignatureVerifier(key: KeyObject, alg: JwsAlgorithm): SignatureVerifier {
  const family = alg.slice(0, 2)
  const hash = HASH[alg.slice(2)]
  switch (family) {
    case 'RS':
      return (input, signature) => verify(hash, input, key, signature)
    case 'PS': {
      const options = {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }
      return (input, signature) => verify(hash, input, options, signature)
    }
    case 'ES': {
      const options = { key, dsaEncoding: 'ieee-p1363' as const }
      const length = EC_SIGNATURE_BYTES[alg]
      return (input, signature) => signature.length === length && verify(hash, input, options, signature)
    }
    case 'HS': {
      const bytes = Number(alg.slice(2)) / 8
      return (input, signature) =>
        signature.length === bytes &&
        timingSafeEqual(
          createHmac(hash as string, key)
            .update(input)
            .digest(),
          signature,
        )
    }
    default:
      return (input, signature) => verify(null, input, key, signature)
  }
}
