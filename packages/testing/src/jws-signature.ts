import { constants, type KeyObject, sign } from 'node:crypto'
import { digestLengthOf, digestOf, type TestAlg } from './algorithms.js'

/**
 * Signs a JWS signing input (`base64url(header) + '.' + base64url(payload)`) the way RFC 7518
 * prescribes for `alg`, returning the raw signature bytes.
 */
export function createJwsSignature(
  alg: TestAlg,
  privateKey: KeyObject,
  signingInput: string | Buffer,
): Buffer {
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput) : signingInput
  const digest = digestOf(alg)
  if (digest === null) return sign(null, data, privateKey)
  if (alg.startsWith('PS')) {
    return sign(digest, data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: digestLengthOf(alg),
    })
  }
  // JWS wants ECDSA signatures as fixed-width r||s, not the DER that node emits by default.
  if (alg.startsWith('ES')) return sign(digest, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return sign(digest, data, privateKey)
}
