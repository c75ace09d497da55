import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, TEST_ALGS, type TestIssuer } from '../src/index.js'
import { decodeSegment } from './decode-token.js'

describe('sign', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await startTestIssuer({ algs: TEST_ALGS })
  })
  afterAll(() => issuer.close())

  it.each(TEST_ALGS)('mints a %s token that jose verifies against the live JWKS', async (alg) => {
    const token = await issuer.sign({ scope: 'read' }, { alg })
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.url,
      audience: 'https://api.test',
      algorithms: [alg],
    })
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: issuer.key(alg).kid })
    expect(payload.scope).toBe('read')
  })

  it('fills iss, aud, sub, iat, exp (300 s) and a random jti, and no nbf', async () => {
    const before = Math.floor(Date.now() / 1000)
    const payload = decodeSegment(await issuer.sign(), 1)
    expect(payload).toMatchObject({ iss: issuer.url, aud: 'https://api.test', sub: 'user-1' })
    expect(payload.iat).toBeGreaterThanOrEqual(before)
    expect(payload.exp).toBe((payload.iat as number) + 300)
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload).not.toHaveProperty('nbf')
    expect(decodeSegment(await issuer.sign(), 1).jti).not.toBe(payload.jti)
  })

  it('signs with the first configured alg (RS512 by default) when none is asked for', async () => {
    const defaultIssuer = await startTestIssuer({ algs: ['RS512', 'ES256'] })
    try {
      expect(decodeProtectedHeader(await defaultIssuer.sign())).toMatchObject({ alg: 'RS512' })
    } finally {
      await defaultIssuer.close()
    }
  })

  it('lets claims override and extend the defaults, and removes claims set to undefined', async () => {
    const payload = decodeSegment(
      await issuer.sign({ sub: 'admin', aud: ['a', 'b'], jti: undefined, x: 1 }),
      1,
    )
    expect(payload).toMatchObject({ sub: 'admin', aud: ['a', 'b'], x: 1 })
    expect(payload).not.toHaveProperty('jti')
  })

  it('sets the lifetime from expiresIn', async () => {
    const payload = decodeSegment(await issuer.sign({}, { expiresIn: -60 }), 1)
    expect(payload.exp).toBe((payload.iat as number) - 60)
    await expect(
      jwtVerify(await issuer.sign({}, { expiresIn: -60 }), createRemoteJWKSet(new URL(issuer.jwksUri))),
    ).rejects.toBeInstanceOf(errors.JWTExpired)
  })

  it('merges header overrides, removing members set to undefined', async () => {
    const token = await issuer.sign({}, { alg: 'ES256', header: { typ: 'at+jwt', kid: undefined, x5u: 'u' } })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', x5u: 'u' })
  })

  it('signs with the key of a given kid', async () => {
    const key = issuer.key('PS384')
    expect(decodeProtectedHeader(await issuer.sign({}, { kid: key.kid }))).toMatchObject({ alg: 'PS384' })
  })

  it('refuses an alg that contradicts the chosen key', async () => {
    await expect(issuer.sign({}, { kid: issuer.key('ES256').kid, alg: 'RS256' })).rejects.toThrow(/not RS256/)
  })

  it('refuses an alg the issuer publishes no key for', async () => {
    const esOnly = await startTestIssuer({ algs: ['ES256'] })
    try {
      expect(() => esOnly.key('RS256')).toThrow(/no RS256 key/)
      await expect(esOnly.sign({}, { alg: 'RS256' })).rejects.toThrow(/no RS256 key/)
    } finally {
      await esOnly.close()
    }
  })
})
