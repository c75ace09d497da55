import type { AuthErrorCode } from './errors.js'

/** What Portcullis reports as it works. Never carries a token, a secret or a claim value. */
export type AuthEvent =
  | { type: 'auth.success'; mode: string; issuer?: string; durationMs: number }
  | { type: 'cache.hit' | 'cache.miss'; cache: 'token' }
  | {
      type: 'auth.failure'
      mode: string
      code: AuthErrorCode
      status: number
      issuer?: string
      durationMs: number
    }
  | { type: 'redis.state'; state: 'live' | 'down' }
  | {
      type: 'jwks.fetch'
      issuer: string
      url: string
      ok: boolean
      keys?: number
      skipped?: number
      error?: string
      durationMs: number
    }

export type AuthEventListener = (event: AuthEvent) => void
