import { AuthError } from '../errors.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from './input.js'

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const SCHEME = /^Bearer(?: |$)/i

/**
 * The bearer token from `Authorization`, undefined when the request carries none (another scheme, or no header).
 * A Bearer header that is malformed, repeated, or longer than `maxBytes` is a 400/401, never ignored. Hot path.
 */
export function extractBearer(headers: HeaderBag, maxBytes: number): string | undefined {
  const value = readHeader(headers, 'authorization')
  if (value === undefined) return undefined
  if (value === AMBIGUOUS)
    throw new AuthError('invalid_request', { cause: new Error('several Authorization headers') })
  if (!SCHEME.test(value)) return undefined
  // "Bearer " plus the token plus a little whitespace: anything longer is refused before the regex runs.
  if (value.length > maxBytes + 16)
    throw new AuthError('token_too_large', { cause: new Error('bearer token too large') })
  const match = BEARER.exec(value)
  if (!match) throw new AuthError('invalid_request', { cause: new Error('malformed Bearer credentials') })
  const token = match[1] as string
  if (token.length > maxBytes)
    throw new AuthError('token_too_large', { cause: new Error('bearer token too large') })
  return token
}
