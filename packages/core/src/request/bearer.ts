import { AuthError, because } from '../errors.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from './input.js'

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const SCHEME = /^Bearer(?: |$)/i

/**
 * The bearer token from `Authorization`, undefined when the request carries none (another scheme, or no header).
 * A Bearer header that is repeated, empty or longer than `maxBytes` is a 400/401, never ignored. Only the
 * framing is checked here: the token's characters are checked by `assertBearerSyntax` on a cache miss, since a
 * cache hit is by construction a token that once passed it. Hot path.
 */
export function extractBearer(headers: HeaderBag, maxBytes: number): string | undefined {
  const value = readHeader(headers, 'authorization')
  if (value === undefined) return undefined
  if (value === AMBIGUOUS)
    throw new AuthError('invalid_request', { cause: because('several Authorization headers') })
  if (!SCHEME.test(value)) return undefined
  // "Bearer " plus the token plus a little whitespace: anything longer is refused before any scanning.
  if (value.length > maxBytes + 16)
    throw new AuthError('token_too_large', { cause: because('bearer token too large') })
  let start = 6
  while (value.charCodeAt(start) === 32) start++
  let end = value.length
  while (end > start && value.charCodeAt(end - 1) === 32) end--
  if (end === start) throw new AuthError('invalid_request', { cause: because('empty Bearer credentials') })
  if (end - start > maxBytes)
    throw new AuthError('token_too_large', { cause: because('bearer token too large') })
  return value.slice(start, end)
}

/** RFC 6750 §2.1 `b64token` syntax, checked once per distinct token (on a cache miss). */
export function assertBearerSyntax(token: string): void {
  if (!B64TOKEN.test(token))
    throw new AuthError('invalid_request', { cause: because('malformed Bearer credentials') })
}
