/**
 * One error type for every way authentication or authorization can fail.
 * Callers branch on `code`; `status` and `wwwAuthenticate` are what an HTTP adapter sends;
 * `message` is safe to show a client (it never names the expected issuer, audience, keys or rules);
 * `cause` carries the detail for logs.
 */
export type AuthErrorCode =
  // 400: the request itself is malformed (RFC 6750 invalid_request)
  | 'invalid_request'
  // 401: no usable credentials (RFC 6750 invalid_token, or no error attribute when nothing was sent)
  | 'credentials_missing'
  | 'token_malformed'
  | 'token_too_large'
  | 'token_unsupported'
  | 'token_issuer_unknown'
  | 'token_algorithm_not_allowed'
  | 'token_key_unknown'
  | 'token_signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_audience_invalid'
  | 'token_claims_invalid'
  | 'token_type_invalid'
  | 'token_revoked'
  | 'project_credentials_invalid'
  | 'project_revoked'
  | 'request_signature_invalid'
  | 'api_key_invalid'
  | 'api_key_revoked'
  // 403: identity is fine, rights are not
  | 'insufficient_scope'
  | 'access_denied'
  // 429
  | 'rate_limited'
  // 503: we cannot vouch either way, so we refuse (fail closed)
  | 'issuer_unavailable'
  | 'auth_unavailable'

type RfcError = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined

interface CodeInfo {
  status: 400 | 401 | 403 | 429 | 503
  rfc: RfcError
  message: string
}

const INVALID_TOKEN = 'The access token is invalid.'

const CODES: Record<AuthErrorCode, CodeInfo> = {
  invalid_request: {
    status: 400,
    rfc: 'invalid_request',
    message: 'The request carries malformed credentials.',
  },
  credentials_missing: { status: 401, rfc: undefined, message: 'Authentication is required.' },
  token_malformed: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_too_large: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_unsupported: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_issuer_unknown: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_algorithm_not_allowed: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_key_unknown: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_signature_invalid: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_expired: { status: 401, rfc: 'invalid_token', message: 'The access token expired.' },
  token_not_yet_valid: { status: 401, rfc: 'invalid_token', message: 'The access token is not valid yet.' },
  token_audience_invalid: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_claims_invalid: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_type_invalid: { status: 401, rfc: 'invalid_token', message: INVALID_TOKEN },
  token_revoked: { status: 401, rfc: 'invalid_token', message: 'The access token was revoked.' },
  project_credentials_invalid: {
    status: 401,
    rfc: undefined,
    message: 'The project credentials are invalid.',
  },
  project_revoked: { status: 401, rfc: undefined, message: 'The project credentials were revoked.' },
  request_signature_invalid: { status: 401, rfc: undefined, message: 'The request signature is invalid.' },
  api_key_invalid: { status: 401, rfc: undefined, message: 'The API key is invalid.' },
  api_key_revoked: { status: 401, rfc: undefined, message: 'The API key was revoked.' },
  insufficient_scope: {
    status: 403,
    rfc: 'insufficient_scope',
    message: 'The credentials lack the required scope.',
  },
  access_denied: { status: 403, rfc: 'insufficient_scope', message: 'Access to this resource is denied.' },
  rate_limited: { status: 429, rfc: undefined, message: 'Too many failed attempts; retry later.' },
  issuer_unavailable: { status: 503, rfc: undefined, message: 'Authentication is temporarily unavailable.' },
  auth_unavailable: { status: 503, rfc: undefined, message: 'Authentication is temporarily unavailable.' },
}

/** What the `WWW-Authenticate` challenge says besides the error: configured once per `Auth`. */
export interface ChallengeParams {
  realm?: string
  /** RFC 9728 protected-resource metadata URL. */
  resourceMetadata?: string
}

export interface AuthErrorOptions {
  cause?: unknown
  /** Scopes that would have sufficed, for `insufficient_scope` (`scope=` in the challenge). */
  scopes?: readonly string[]
  /** Seconds until a rate-limited client may retry. */
  retryAfterSec?: number
  /** Overrides the public message; must not leak configuration. */
  message?: string
}

/**
 * A refusal: the answer to a client's request (401, 403, 400, 429, 503), never a fault of the program, so it
 * carries no stack trace. Capturing one, V8 walks the stack and keeps a record per frame: ≈ 10 µs for an
 * `AuthError` and its reason, against ≈ 1 µs without (measured), most of what a refused request cost and much
 * of the garbage a flood of bad tokens left behind. The `code` and the reason (`cause`) say where it came from;
 * an underlying failure (a network error, a Redis reply) keeps its own stack as the `cause`.
 */
export class AuthError extends Error {
  declare readonly name: 'AuthError'
  readonly code: AuthErrorCode
  readonly status: 400 | 401 | 403 | 429 | 503
  readonly scopes: readonly string[] | undefined
  readonly retryAfterSec: number | undefined
  /** Set by the `Auth` instance that raised the error, so the challenge names its realm and metadata. */
  challenge: ChallengeParams | undefined

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const info = CODES[code]
    // `withoutStackTrace`, written out: TypeScript allows `super()` only directly in the constructor.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(
        options.message ?? info.message,
        options.cause === undefined ? undefined : { cause: options.cause },
      )
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.code = code
    this.status = info.status
    this.scopes = options.scopes
    this.retryAfterSec = options.retryAfterSec
  }

  /** The RFC 6750 error attribute (`invalid_token`, ...), or undefined when none applies. */
  get oauthError(): RfcError {
    return CODES[this.code].rfc
  }

  /** The RFC 6750 §3 `WWW-Authenticate` value to send with this error, or undefined for 429/503. */
  get wwwAuthenticate(): string | undefined {
    if (this.status !== 400 && this.status !== 401 && this.status !== 403) return undefined
    const params: string[] = []
    const challenge = this.challenge
    if (challenge?.realm) params.push(`realm="${quote(challenge.realm)}"`)
    const rfc = this.oauthError
    if (rfc) {
      params.push(`error="${rfc}"`, `error_description="${quote(this.message)}"`)
      if (rfc === 'insufficient_scope' && this.scopes?.length)
        params.push(`scope="${quote(this.scopes.join(' '))}"`)
    }
    if (challenge?.resourceMetadata) params.push(`resource_metadata="${quote(challenge.resourceMetadata)}"`)
    return params.length ? `Bearer ${params.join(', ')}` : 'Bearer'
  }

  /** Response headers an adapter should send: `WWW-Authenticate` and/or `Retry-After`. */
  get headers(): Record<string, string> {
    const headers: Record<string, string> = {}
    const challenge = this.wwwAuthenticate
    if (challenge) headers['www-authenticate'] = challenge
    if (this.retryAfterSec !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfterSec)))
    return headers
  }

  /**
   * The small JSON body adapters send: `error` is the RFC 6750 error where one applies (else the code),
   * `code` the stable Portcullis code.
   */
  toJSON(): { error: string; error_description: string; code: AuthErrorCode } {
    return { error: this.oauthError ?? this.code, error_description: this.message, code: this.code }
  }
}

// On the prototype, as Error's own `name` is: one property less on every refusal.
Object.defineProperty(AuthError.prototype, 'name', { value: 'AuthError', writable: true, configurable: true })

/**
 * A refusal's reason, to pass as an `AuthError`'s `cause`: an `Error` without a stack trace, for the reason
 * `AuthError` has none (see there). Takes what `new Error()` takes.
 */
export function because(message: string, options?: ErrorOptions): Error {
  return withoutStackTrace(() => new Error(message, options))
}

/**
 * Runs `create` with V8's stack traces off, for errors that answer a client rather than report a fault (see
 * `AuthError`): adapters build their framework's refusal (a Nest `HttpException`, a `GraphQLError`) in it.
 */
export function withoutStackTrace<T>(create: () => T): T {
  const stackTraceLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return create()
  } finally {
    Error.stackTraceLimit = stackTraceLimit
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError
}

function quote(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')
}
