import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'

export interface DecodedToken {
  header: Record<string, unknown>
  claims: Record<string, unknown>
}

const SEGMENT = /^[A-Za-z0-9_-]*$/

/**
 * Reads a compact JWS's header and claims WITHOUT checking anything: for people to look at, never to
 * trust. A token that is not three base64url segments of JSON objects is `token_malformed` (exit 2).
 */
export function decodeUnverified(token: string): DecodedToken {
  const parts = token.split('.')
  if (parts.length === 5) {
    throw new CliError(
      'token_unsupported',
      EXIT_CODES.auth,
      'this is an encrypted token (JWE): its claims cannot be read without the key',
    )
  }
  if (parts.length !== 3) {
    throw malformed(`expected three dot-separated segments (header.payload.signature), found ${parts.length}`)
  }
  const [header, payload] = parts as [string, string, string]
  return { header: segment(header, 'header'), claims: segment(payload, 'payload') }
}

function segment(text: string, name: string): Record<string, unknown> {
  if (text === '' || !SEGMENT.test(text)) throw malformed(`the ${name} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw malformed(`the ${name} is not JSON`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`the ${name} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

function malformed(reason: string): CliError {
  return new CliError('token_malformed', EXIT_CODES.auth, `not a well-formed JWT: ${reason}`)
}
