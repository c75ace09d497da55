import { ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common'
import { AuthError } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { toHttpException } from '../src/index.js'

describe('toHttpException', () => {
  it("is Nest's exception for the status, with the AuthError as cause and, like it, no stack trace", () => {
    const refused = toHttpException(new AuthError('token_expired'))
    expect(refused).toBeInstanceOf(UnauthorizedException)
    expect(refused.getStatus()).toBe(401)
    expect(refused.cause).toBeInstanceOf(AuthError)
    expect(refused.stack).not.toMatch(/\n\s+at /)
    expect(toHttpException(new AuthError('insufficient_scope'))).toBeInstanceOf(ForbiddenException)
    const limited = toHttpException(new AuthError('rate_limited', { retryAfterSec: 3 }))
    expect(limited).toBeInstanceOf(HttpException)
    expect(limited.getStatus()).toBe(429)
    // Stack traces stay on for everything else.
    expect(new Error('after').stack).toMatch(/\n\s+at /)
  })
})
