import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common'
import { type AuthError, type AuthErrorCode, withoutStackTrace } from '@portcullis/core'

/** The JSON body of a rejected request: Nest's `statusCode`/`message`/`error` plus core's `error_description`/`code`. */
export interface AuthErrorBody {
  statusCode: number
  message: string
  /** The RFC 6750 error (`invalid_token`, `insufficient_scope`, ...) where one applies, else the code. */
  error: string
  error_description: string
  code: AuthErrorCode
}

/**
 * The Nest exception for an `AuthError`: `UnauthorizedException` for 401, `ForbiddenException` for 403,
 * `BadRequestException` for 400, `ServiceUnavailableException` for 503, a plain `HttpException` otherwise (429).
 * The `AuthError` is its `cause`. Headers are not part of it: see `sendAuthErrorHeaders`.
 */
export function toHttpException(error: AuthError): HttpException {
  const body: AuthErrorBody = { statusCode: error.status, message: error.message, ...error.toJSON() }
  // A refusal, like the AuthError it carries: no stack trace to capture through Nest's call stack.
  return withoutStackTrace(() => exceptionFor(error.status, body, { cause: error }))
}

function exceptionFor(status: number, body: AuthErrorBody, options: { cause: AuthError }): HttpException {
  switch (status) {
    case 400:
      return new BadRequestException(body, options)
    case 401:
      return new UnauthorizedException(body, options)
    case 403:
      return new ForbiddenException(body, options)
    case 503:
      return new ServiceUnavailableException(body, options)
    default:
      return new HttpException(body, status, options)
  }
}

interface HeaderSink {
  header?(name: string, value: string): unknown
  setHeader?(name: string, value: string): unknown
  headersSent?: boolean
  sent?: boolean
}

/**
 * Puts every header of the error (`WWW-Authenticate`, `Retry-After`) on the response: `header()` on an Express
 * response or a Fastify reply, `setHeader()` on a bare Node response. Headers set now survive Nest's exception
 * filters on both platforms, and Apollo's GraphQL responses.
 */
export function sendAuthErrorHeaders(response: unknown, error: AuthError): void {
  if (typeof response !== 'object' || response === null) return
  const sink = response as HeaderSink
  if (sink.headersSent === true || sink.sent === true) return
  const headers = error.headers
  for (const name in headers) {
    const value = headers[name] as string
    if (typeof sink.header === 'function') sink.header(name, value)
    else if (typeof sink.setHeader === 'function') sink.setHeader(name, value)
  }
}
