import { createHmac } from 'node:crypto'
import { createJwsSignature } from './jws-signature.js'
import type { TestKey } from './test-key.js'

/** How the third segment is produced. Give exactly one. */
export interface CompactJwsSigner {
  /** Sign with this key, using the key's own algorithm whatever the header claims. */
  key?: TestKey
  /** Use this signature: a Buffer is base64url-encoded, a string is used verbatim (`''` → unsigned). */
  signature?: string | Buffer
  /** Sign HS256 with this secret, e.g. an RSA public PEM for algorithm-confusion tests. */
  hmacSecret?: string | Buffer
}

/**
 * Builds a compact JWS from any header and payload. A string header or payload is used verbatim as
 * the JSON text, so tests can craft duplicate keys, huge numbers or outright invalid JSON.
 */
export function buildCompactJws(
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string,
  signer: CompactJwsSigner,
): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`
  return `${signingInput}.${signatureSegment(signingInput, signer)}`
}

function encodeSegment(part: Record<string, unknown> | string): string {
  const json = typeof part === 'string' ? part : JSON.stringify(part)
  return Buffer.from(json).toString('base64url')
}

function signatureSegment(signingInput: string, signer: CompactJwsSigner): string {
  const given = [signer.key, signer.signature, signer.hmacSecret].filter((value) => value !== undefined)
  if (given.length !== 1) {
    throw new TypeError('buildCompactJws needs exactly one of key, signature or hmacSecret')
  }
  if (typeof signer.signature === 'string') return signer.signature
  if (signer.signature !== undefined) return signer.signature.toString('base64url')
  if (signer.hmacSecret !== undefined) {
    return createHmac('sha256', signer.hmacSecret).update(signingInput).digest('base64url')
  }
  const key = signer.key as TestKey
  return createJwsSignature(key.alg, key.privateKey, signingInput).toString('base64url')
}
