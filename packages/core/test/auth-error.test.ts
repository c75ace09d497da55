import { describe, expect, it } from 'vitest'
import { because } from '../src/errors.js'
import { AuthError, isAuthError } from '../src/index.js'

describe('AuthError', () => {
  it('is a refusal without a stack trace: its name, message, code and reason say where it came from', () => {
    const error = new AuthError('token_signature_invalid', { cause: because('signature does not verify') })
    expect(error).toBeInstanceOf(Error)
    expect(isAuthError(error)).toBe(true)
    expect(error.name).toBe('AuthError')
    expect(error.stack).toBe('AuthError: The access token is invalid.')
    expect(error.status).toBe(401)
    expect((error.cause as Error).message).toBe('signature does not verify')
    expect((error.cause as Error).stack).toBe('Error: signature does not verify')
    // The name is inherited, as Error's is: not one more own property on every refusal.
    expect(Object.hasOwn(error, 'name')).toBe(false)
  })

  it('keeps the stack of an underlying failure given as its cause, and leaves stack traces on for the rest', () => {
    const failure = new Error('connect ECONNREFUSED')
    const error = new AuthError('auth_unavailable', { cause: failure })
    expect((error.cause as Error).stack).toMatch(/\n\s+at /)
    expect(new Error('after').stack).toMatch(/\n\s+at /)
    expect(because('reason', { cause: failure }).cause).toBe(failure)
  })

  it('restores Error.stackTraceLimit as it found it, whatever it was', () => {
    const before = Error.stackTraceLimit
    try {
      Error.stackTraceLimit = 3
      new AuthError('token_expired')
      because('reason')
      expect(Error.stackTraceLimit).toBe(3)
    } finally {
      Error.stackTraceLimit = before
    }
  })
})
