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
      // e = 1 makes every value its own signature and an even e is no RSA key; e = 3 stays (a strict
      // PKCS#1 verifier, as OpenSSL's, is safe with it, and Wycheproof treats it as valid).
      if (
        details?.publicExponent === undefined ||
        details.publicExponent < 3n ||
        details.publicExponent % 2n === 0n
      ) {
        return 'RSA public exponent must be odd and at least 3'
      }
      return undefined
    case 'ES':
      if (type !== 'ec') return `${alg} needs an EC key`
      return details?.namedCurve === EC_CURVE[alg] ? undefined : `${alg} needs curve ${EC_CURVE[alg]}`
    default:
      // EdDSA covers Ed25519 and Ed448 (RFC 8037); the fully-specified Ed25519 alg only Ed25519.
      if (type === 'ed25519' && isSmallOrderEd25519(key)) return 'Ed25519 keys of small order are refused'
      if (alg === 'Ed25519') return type === 'ed25519' ? undefined : 'Ed25519 needs an Ed25519 key'
      return type === 'ed25519' || type === 'ed448' ? undefined : 'EdDSA needs an OKP key'
  }
}

// The Ed25519 points of small order (libsodium's blocklist, canonical encodings, little-endian hex). A key at
// one of them lets a signature with R of small order and S = 0 verify every message.
const SMALL_ORDER_ED25519 = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0100000000000000000000000000000000000000000000000000000000000080',
])

function isSmallOrderEd25519(key: KeyObject): boolean {
  const x = key.export({ format: 'jwk' }).x
  return x === undefined || SMALL_ORDER_ED25519.has(Buffer.from(x, 'base64url').toString('hex'))
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
