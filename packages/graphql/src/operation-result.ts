import type { AuthError } from '@portcullis/core'
import type { ExecutionResult, GraphQLError } from 'graphql'
import { authErrorOf, withHttpStatus } from './errors.js'

/**
 * Decides whether authentication failed the operation as a whole, and if so gives the response the
 * auth status and `WWW-Authenticate` (through `extensions.http` on one error, which Yoga honours).
 * It did when no data is left (`data` null: a failed non-null protected field reached the root), or,
 * with `partialResults: false`, as soon as any protected field failed (the data is then dropped).
 * Otherwise the result stays a partial one: field errors and `null`s, HTTP 200.
 */
export function renderOperationResult(result: ExecutionResult, partialResults: boolean): ExecutionResult {
  const errors = result.errors
  if (!errors?.length) return result
  if (partialResults && result.data != null) return result
  let primary: { index: number; authError: AuthError } | undefined
  errors.forEach((error, index) => {
    const authError = authErrorOf(error)
    if (authError && (primary === undefined || precedence(authError) < precedence(primary.authError)))
      primary = { index, authError }
  })
  if (primary === undefined) return result
  const { index, authError } = primary
  return {
    ...result,
    ...(result.data != null && { data: null }),
    errors: errors.map((error, i) =>
      i === index ? withHttpStatus(error as GraphQLError, authError) : error,
    ),
  }
}

/** Which error speaks for the response: missing or bad credentials (401) before missing rights (403). */
function precedence(error: AuthError): number {
  return error.status === 401 ? 0 : error.status === 403 ? 1 : 2
}
