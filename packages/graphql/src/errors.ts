import { type AuthError, withoutStackTrace } from '@portcullis/core'
import { GraphQLError, type GraphQLErrorExtensions } from 'graphql'

/** `extensions.code` for each `AuthError.status`, following the names Apollo and Yoga users branch on. */
const GRAPHQL_CODES = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
} as const satisfies Record<AuthError['status'], string>

export type PortcullisErrorCode = (typeof GRAPHQL_CODES)[keyof typeof GRAPHQL_CODES]

/**
 * The GraphQL face of a core `AuthError`: `extensions.code` (`UNAUTHENTICATED`, `FORBIDDEN`, ...) and
 * `extensions.auth` = `AuthError.toJSON()` (`{ error, error_description, code }`). When the whole
 * operation fails it also carries `extensions.http` ({ status, headers }), which Yoga turns into the
 * response status and `WWW-Authenticate` and strips from the body.
 */
export class PortcullisAuthError extends GraphQLError {
  readonly authError: AuthError

  constructor(authError: AuthError, options: { http?: boolean } = {}) {
    // A refusal, like the AuthError it carries: no stack trace (capturing one costs more than the rest of it).
    // Core's `withoutStackTrace`, written out: TypeScript allows `super()` only directly in the constructor.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(authError.message, { extensions: authExtensions(authError, options.http === true) })
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.authError = authError
  }
}

function authExtensions(authError: AuthError, http: boolean): GraphQLErrorExtensions {
  return {
    code: GRAPHQL_CODES[authError.status],
    auth: authError.toJSON(),
    ...(http && { http: { status: authError.status, headers: authError.headers } }),
  }
}

/** The `AuthError` behind a GraphQL error, however many times graphql-js or a plugin wrapped it. */
export function authErrorOf(error: unknown): AuthError | undefined {
  let current = error
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof PortcullisAuthError) return current.authError
    current = (current as { originalError?: unknown }).originalError
  }
  return undefined
}

/** The same error (path, locations and all) with `extensions.http` set from its `AuthError`. */
export function withHttpStatus(error: GraphQLError, authError: AuthError): GraphQLError {
  return withoutStackTrace(
    () =>
      new GraphQLError(error.message, {
        ...(error.nodes && { nodes: error.nodes }),
        ...(error.source && { source: error.source }),
        ...(error.positions && { positions: error.positions }),
        ...(error.path && { path: error.path }),
        ...(error.originalError && { originalError: error.originalError }),
        extensions: { ...error.extensions, ...authExtensions(authError, true) },
      }),
  )
}
