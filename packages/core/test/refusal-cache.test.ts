import { describe, expect, it } from 'vitest'
import { RefusalCache } from '../src/cache/refusal-cache.js'
import { AuthError } from '../src/index.js'
import { authFor, bearer, issuerForTest } from './setup.js'

/** The refusal and its logged reason, from a rejected authenticate(). */
async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; reason: string }> {
  const error = (await promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (e: unknown) => e,
  )) as AuthError
  return { code: error.code, reason: (error.cause as Error | undefined)?.message ?? error.message }
}

/** The same header and claims with another payload byte: a bad signature whose last characters are `token`'s. */
function withPayloadChanged(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: `${String(claims.sub)}x` })).toString(
    'base64url',
  )
  return `${header}.${forged}.${signature}`
}

describe('refusals remembered', () => {
  it('answers a replayed bad signature or expired token from memory, with the same code', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    await auth.ready()
    const valid = await issuer.sign({ sub: 'ada' })
    const forged = withPayloadChanged(valid)
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600 })
    for (const [token, code] of [
      [forged, 'token_signature_invalid'],
      [expired, 'token_expired'],
    ] as const) {
      const first = await refusalOf(auth.authenticate(bearer(token)))
      expect(first.code).toBe(code)
      expect(first.reason).not.toContain('refused earlier')
      const again = await refusalOf(auth.authenticate(bearer(token)))
      expect(again).toEqual({ code, reason: `${first.reason} (refused earlier)` })
    }
    // The forged token shares its signature, so its index, with the valid one: that one still gets in.
    expect((await auth.authenticate(bearer(valid))).user?.subject).toBe('ada')
    expect((await refusalOf(auth.authenticate(bearer(forged)))).code).toBe('token_signature_invalid')
  })

  it('does not remember what may change: not yet valid, revoked', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    await auth.ready()
    const early = await issuer.sign({ nbf: Math.floor(Date.now() / 1000) + 3600 })
    const revoked = await issuer.sign({ jti: 'gone' })
    await auth.revoke.token('gone', Math.floor(Date.now() / 1000) + 3600)
    for (const token of [early, revoked, early, revoked]) {
      const { reason } = await refusalOf(auth.authenticate(bearer(token)))
      expect(reason).not.toContain('refused earlier')
    }
  })
})

describe('RefusalCache', () => {
  const refusedWith = (code: 'token_expired' | 'token_not_yet_valid') =>
    new AuthError(code, { cause: new Error('why') })
  const token = (name: string) => `h.p.${name.padStart(40, 'x')}`

  it('forgets after its time, and keeps at most its limit, the oldest going first', () => {
    const cache = new RefusalCache(2, 1000)
    cache.remember(token('first-000001'), refusedWith('token_expired'), 0)
    expect(cache.refusal(token('first-000001'), 999)?.code).toBe('token_expired')
    expect(cache.refusal(token('first-000001'), 1000)).toBeUndefined()
    cache.remember(token('a-0000000001'), refusedWith('token_expired'), 0)
    cache.remember(token('b-0000000002'), refusedWith('token_expired'), 0)
    cache.remember(token('c-0000000003'), refusedWith('token_expired'), 0)
    expect(cache.refusal(token('a-0000000001'), 1)).toBeUndefined()
    expect(cache.refusal(token('b-0000000002'), 1)).toBeDefined()
    expect(cache.refusal(token('c-0000000003'), 1)).toBeDefined()
    // Not a remembered kind, and not an AuthError at all: nothing stored.
    cache.remember(token('d-0000000004'), refusedWith('token_not_yet_valid'), 0)
    cache.remember(token('e-0000000005'), new Error('bug'), 0)
    expect(cache.refusal(token('d-0000000004'), 1)).toBeUndefined()
    expect(cache.refusal(token('e-0000000005'), 1)).toBeUndefined()
    // Each hit is a fresh error (adapters set its challenge), never the stored one.
    expect(cache.refusal(token('c-0000000003'), 1)).not.toBe(cache.refusal(token('c-0000000003'), 1))
  })
})
