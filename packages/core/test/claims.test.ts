import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

const now = () => Math.floor(Date.now() / 1000)

describe('registered claims', () => {
  it('rejects expired tokens, honouring the 30 s default leeway at the edge', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const expired = await issuer.sign({ iat: now() - 600, exp: now() - 31 })
    expect(await rejectionCode(auth.authenticate(bearer(expired)))).toBe('token_expired')
    const withinLeeway = await issuer.sign({ iat: now() - 600, exp: now() - 20 })
    await expect(auth.authenticate(bearer(withinLeeway))).resolves.toBeTruthy()
  })

  it('applies a configured leeway exactly', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const strict = authFor(issuer, { clockToleranceSec: 0 })
    const justExpired = await issuer.sign({ exp: now() - 1 })
    expect(await rejectionCode(strict.authenticate(bearer(justExpired)))).toBe('token_expired')
    const notYet = await issuer.sign({ nbf: now() + 5 })
    expect(await rejectionCode(strict.authenticate(bearer(notYet)))).toBe('token_not_yet_valid')
  })

  it('rejects not-yet-valid tokens (nbf and iat in the future) beyond the leeway', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const nbf = await issuer.sign({ nbf: now() + 120 })
    expect(await rejectionCode(auth.authenticate(bearer(nbf)))).toBe('token_not_yet_valid')
    const iat = await issuer.sign({ iat: now() + 120, exp: now() + 600 })
    expect(await rejectionCode(auth.authenticate(bearer(iat)))).toBe('token_not_yet_valid')
    const slightSkew = await issuer.sign({ nbf: now() + 10 })
    await expect(auth.authenticate(bearer(slightSkew))).resolves.toBeTruthy()
  })

  it('rejects tokens without exp, or with non-numeric time claims', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    for (const claims of [
      { exp: undefined },
      { exp: String(now() + 60) },
      { exp: [now() + 60] },
      { nbf: 'soon' },
      { iat: null },
    ]) {
      const token = await issuer.sign(claims)
      expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_claims_invalid')
    }
  })

  it('rejects a wrong or missing iss, and a token from an issuer that is not configured', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const wrong = await issuer.sign({ iss: `${issuer.url}/other` })
    expect(await rejectionCode(auth.authenticate(bearer(wrong)))).toBe('token_issuer_unknown')
    const missing = await issuer.sign({ iss: undefined })
    expect(await rejectionCode(auth.authenticate(bearer(missing)))).toBe('token_claims_invalid')
    const caseTrick = await issuer.sign({ iss: issuer.url.toUpperCase() })
    expect(await rejectionCode(auth.authenticate(bearer(caseTrick)))).toBe('token_issuer_unknown')
  })

  it('checks aud as a string and as an array', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, { audience: ['https://api.test', 'urn:other'] })
    for (const aud of ['https://api.test', ['x', 'urn:other'], ['https://api.test']]) {
      await expect(auth.authenticate(bearer(await issuer.sign({ aud })))).resolves.toBeTruthy()
    }
    for (const aud of ['https://api.test.evil', ['x', 'y'], [], undefined, 42, ['HTTPS://API.TEST']]) {
      expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({ aud }))))).toBe(
        'token_audience_invalid',
      )
    }
  })

  it('requires the configured typ (RFC 9068 at+jwt), ignoring case and the application/ prefix', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, { typ: 'at+jwt' })
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt']) {
      await expect(
        auth.authenticate(bearer(await issuer.sign({}, { header: { typ } }))),
      ).resolves.toBeTruthy()
    }
    for (const typ of ['JWT', undefined, 'at+jwt2']) {
      expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({}, { header: { typ } }))))).toBe(
        'token_type_invalid',
      )
    }
  })

  it('enforces the token type claim, max token age, required claims and RFC 8707 resource binding', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const typed = authFor(issuer, { tokenType: 'access' })
    expect(await rejectionCode(typed.authenticate(bearer(await issuer.sign({ type: 'refresh' }))))).toBe(
      'token_type_invalid',
    )
    await expect(typed.authenticate(bearer(await issuer.sign({ type: 'access' })))).resolves.toBeTruthy()

    const aged = authFor(issuer, { maxTokenAgeSec: 60 })
    expect(await rejectionCode(aged.authenticate(bearer(await issuer.sign({ iat: now() - 600 }))))).toBe(
      'token_expired',
    )
    expect(await rejectionCode(aged.authenticate(bearer(await issuer.sign({ iat: undefined }))))).toBe(
      'token_claims_invalid',
    )

    const required = authFor(issuer, { requiredClaims: ['email', 'jti'] })
    expect(await rejectionCode(required.authenticate(bearer(await issuer.sign())))).toBe(
      'token_claims_invalid',
    )
    await expect(required.authenticate(bearer(await issuer.sign({ email: 'a@b.co' })))).resolves.toBeTruthy()

    const bound = authFor(issuer, { resource: 'https://api.test/orders' })
    expect(await rejectionCode(bound.authenticate(bearer(await issuer.sign())))).toBe(
      'token_audience_invalid',
    )
    const both = await issuer.sign({ aud: ['https://api.test', 'https://api.test/orders'] })
    await expect(bound.authenticate(bearer(both))).resolves.toBeTruthy()
  })

  it('runs a custom claims check and reports its verdict as an invalid token', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, { claimsCheck: (claims) => (claims.acr === 'mfa' ? true : 'mfa required') })
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({ acr: 'pwd' }))))).toBe(
      'token_claims_invalid',
    )
    await expect(auth.authenticate(bearer(await issuer.sign({ acr: 'mfa' })))).resolves.toBeTruthy()
  })

  it('rejects a non-string sub outside the mercury preset, and a non-string jti', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({ sub: { uuid: 'x' } }))))).toBe(
      'token_claims_invalid',
    )
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({ jti: 7 }))))).toBe(
      'token_claims_invalid',
    )
  })

  it('selects among several issuers by exact iss', async () => {
    const first = await issuerForTest({ algs: ['ES256'] })
    const second = await issuerForTest({ algs: ['EdDSA'] })
    const auth = authFor([first, second])
    await expect(auth.authenticate(bearer(await first.sign({ sub: 'a' })))).resolves.toMatchObject({
      issuer: first.url,
    })
    await expect(auth.authenticate(bearer(await second.sign({ sub: 'b' })))).resolves.toMatchObject({
      issuer: second.url,
    })
    // A token claiming the second issuer but signed by the first one's key.
    const crossed = await first.sign({ iss: second.url })
    expect(await rejectionCode(auth.authenticate(bearer(crossed)))).toMatch(
      /token_(key_unknown|algorithm_not_allowed)/,
    )
  })
})
