import { AuthError } from '@portcullis/core'
import { GraphQLError } from 'graphql'
import { describe, expect, it } from 'vitest'
import { PortcullisAuthError, withHttpStatus } from '../src/errors.js'

describe('the GraphQL face of an AuthError', () => {
  it('carries the code and no stack trace, like the AuthError it wraps', () => {
    const error = new PortcullisAuthError(new AuthError('token_expired'))
    expect(error).toBeInstanceOf(GraphQLError)
    expect(error.extensions.code).toBe('UNAUTHENTICATED')
    expect(error.stack).not.toMatch(/\n\s+at /)
    const located = withHttpStatus(
      new GraphQLError(error.message, { path: ['me'], originalError: error }),
      error.authError,
    )
    expect(located.path).toEqual(['me'])
    expect(located.extensions.http).toEqual({ status: 401, headers: error.authError.headers })
    expect(located.stack).not.toMatch(/\n\s+at /)
    expect(new GraphQLError('elsewhere').stack).toMatch(/\n\s+at /)
  })
})
