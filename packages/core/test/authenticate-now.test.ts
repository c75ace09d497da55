import { describe, expect, it } from 'vitest'
import { AuthError, type AuthEvent, createAuth } from '../src/index.js'
import { AUDIENCE, authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

describe('authenticateNow', () => {
  it('returns a success that needed nothing awaited as it is: an L1 hit, and a miss whose key is held', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    await auth.ready()
    const token = await issuer.sign({ sub: 'now' })
    const miss = auth.authenticateNow(bearer(token))
    expect(miss).not.toBeInstanceOf(Promise)
    expect(miss).toMatchObject({ user: { subject: 'now' }, token })
    const hit = auth.authenticateNow(bearer(token), { scopes: [] })
    expect(hit).not.toBeInstanceOf(Promise)
    expect(hit).toEqual(await auth.authenticate(bearer(token)))
  })

  it('answers every refusal with a rejected promise, never a throw, with the same error authenticate gives', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const events: AuthEvent[] = []
    const auth = createAuth(
      { audience: AUDIENCE, issuers: [{ issuer: issuer.url }] },
      { onEvent: (event) => events.push(event) },
    )
    await auth.ready()
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 600 })
    const inputs = [
      { headers: {} },
      bearer('not.a.jws'),
      bearer(expired),
      { headers: { authorization: 'Bearer' } },
    ]
    for (const input of inputs) {
      let outcome: unknown
      expect(() => {
        outcome = auth.authenticateNow(input)
      }).not.toThrow()
      expect(outcome).toBeInstanceOf(Promise)
      const now = await rejectionCode(outcome as Promise<unknown>)
      expect(now).toBe(await rejectionCode(auth.authenticate(input)))
    }
    // Each refusal reported once per call, as authenticate does.
    expect(events.filter((event) => event.type === 'auth.failure')).toHaveLength(inputs.length * 2)
    // A policy that cannot be compiled is a rejection too, not a throw.
    const bad = auth.authenticateNow(bearer(expired), { mode: 'project' })
    expect(bad).toBeInstanceOf(Promise)
    await expect(bad).rejects.toThrow(/project authentication/)
    await auth.close()
  })

  it('is a promise while the key must still be fetched, and resolves like authenticate', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ sub: 'cold' })
    const first = auth.authenticateNow(bearer(token))
    expect(first).toBeInstanceOf(Promise)
    expect(await first).toMatchObject({ user: { subject: 'cold' } })
    expect(auth.authenticateNow(bearer(token))).toMatchObject({ user: { subject: 'cold' } })
  })

  it('fails closed the same way: an unexpected error is a 503 AuthError', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {
      claimsCheck: () => {
        throw new Error('bug in a claims check')
      },
    })
    await auth.ready()
    const outcome = auth.authenticateNow(bearer(await issuer.sign()))
    expect(outcome).toBeInstanceOf(Promise)
    const error = await (outcome as Promise<unknown>).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ code: 'auth_unavailable', status: 503 })
  })
})
