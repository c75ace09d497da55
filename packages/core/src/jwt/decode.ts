import { AuthError, because } from '../errors.js'

/** A compact JWS split and parsed, before any trust is placed in it. */
export interface DecodedJws {
  header: JwsHeader
  payload: Record<string, unknown>
  /** The token itself: `signedParts` reads the signing input and the signature from it when they are checked. */
  token: string
  /** Index of the dot before the signature: `token.slice(0, signatureDot)` is what the signature covers. */
  signatureDot: number
}

export interface JwsHeader {
  alg: string
  kid?: string
  typ?: string
  [name: string]: unknown
}

// One anchored scan of the whole compact form (after the JWE check below): three non-empty base64url segments.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
/** Headers seen recently, parsed and checked: tokens of one key share one header segment. */
const HEADER_CACHE_LIMIT = 64
/** Longest `kid` we look up; real ones are short, and a huge one is only an attack on our maps. */
const MAX_KID_LENGTH = 256

/**
 * Splits and parses a compact JWS, rejecting every shape RFC 8725 warns about before any key is looked up:
 * JWE (5 parts), unsecured `none`, `crit` extensions, unencoded payloads (`b64: false`), compression.
 * Header fields that would let the token choose its own key (`jwk`, `jku`, `x5u`, `x5c`) are never read.
 * Hot path (cache miss).
 */
export function decodeJws(token: string, headers?: Map<string, JwsHeader>): DecodedJws {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first <= 0 || second < 0) throw malformed('not a compact JWS')
  if (token.indexOf('.', second + 1) !== -1) {
    throw new AuthError('token_unsupported', {
      cause: because('encrypted (JWE) or multi-part tokens are not accepted'),
    })
  }
  // A segment of 4n+1 characters cannot come from any byte string; Buffer would silently drop the last one.
  if (
    !COMPACT_JWS.test(token) ||
    first % 4 === 1 ||
    (second - first - 1) % 4 === 1 ||
    (token.length - second - 1) % 4 === 1
  ) {
    throw malformed('segments must be non-empty base64url without padding')
  }
  const headerPart = token.slice(0, first)
  const payloadPart = token.slice(first + 1, second)

  // A cached header is a pure function of its segment, already checked; everything per token still runs.
  let header = headers?.get(headerPart)
  if (header === undefined) {
    header = parseJsonObject(headerPart, 'header') as JwsHeader
    checkHeader(header)
    if (headers) {
      if (headers.size >= HEADER_CACHE_LIMIT) headers.clear()
      headers.set(headerPart, Object.freeze(header))
    }
  }
  const payload = parseJsonObject(payloadPart, 'payload')
  return { header, payload, token, signatureDot: second }
}

/** Where signing inputs are copied for a check made at once; grows to the largest token seen. */
let inputScratch = Buffer.allocUnsafe(2048)

/**
 * The bytes the signature covers (ASCII `header.payload`) and the signature, for a check made at once: the
 * input is a view of a buffer the next call reuses (a fresh copy per token was mostly garbage). Hot path.
 */
export function signedParts(decoded: DecodedJws): { input: Buffer; signature: Buffer } {
  const { token, signatureDot } = decoded
  if (signatureDot > inputScratch.length)
    inputScratch = Buffer.allocUnsafe(Math.max(signatureDot, inputScratch.length * 2))
  inputScratch.write(token, 0, signatureDot, 'latin1')
  return {
    input: inputScratch.subarray(0, signatureDot),
    signature: Buffer.from(token.slice(signatureDot + 1), 'base64url'),
  }
}

function checkHeader(header: JwsHeader): void {
  const { alg, kid } = header
  if (typeof alg !== 'string' || alg.length === 0) throw malformed('header has no alg')
  if (alg.toLowerCase() === 'none') {
    throw new AuthError('token_algorithm_not_allowed', {
      cause: because('unsecured (alg none) tokens are refused'),
    })
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw malformed('kid must be a short string')
  }
  if (header.typ !== undefined && typeof header.typ !== 'string') throw malformed('typ must be a string')
  // We implement no JWS extension, so any critical one must fail (RFC 7515 §4.1.11), and b64:false needs crit.
  if (header.crit !== undefined) {
    throw new AuthError('token_unsupported', {
      cause: because('critical header extensions are not supported'),
    })
  }
  if (header.b64 !== undefined) {
    throw new AuthError('token_unsupported', {
      cause: because('unencoded payloads (b64) are not supported'),
    })
  }
  if (header.enc !== undefined || header.zip !== undefined) {
    throw new AuthError('token_unsupported', {
      cause: because('encryption and compression headers are refused'),
    })
  }
}

/**
 * Where JSON segments are decoded before parsing: reused, since each decode is consumed at once (synchronously)
 * and a fresh Buffer per segment is mostly garbage. Grows to the largest segment seen (bounded by maxTokenBytes).
 */
let scratch = Buffer.allocUnsafe(2048)

function parseJsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    // Base64url decodes to at most 3 bytes per 4 characters.
    const needed = Math.ceil((segment.length * 3) / 4)
    if (needed > scratch.length) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2))
    const length = scratch.write(segment, 0, 'base64url')
    value = JSON.parse(scratch.toString('utf8', 0, length))
  } catch (cause) {
    throw malformed(`${what} is not JSON`, cause)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw malformed(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

function malformed(reason: string, cause?: unknown): AuthError {
  return new AuthError('token_malformed', {
    cause: because(reason, cause === undefined ? undefined : { cause }),
  })
}
