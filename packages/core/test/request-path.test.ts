import { describe, expect, it } from 'vitest'
import { AuthError, type AuthEvent } from '../src/index.js'
import { AUDIENCE, authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

describe('bearer extraction (RFC 6750)', () => {
  it('answers 401 without an error attribute when no credentials are sent', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const error = (await auth.authenticate({ headers: {} }).catch((e) => e)) as AuthError
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ code: 'credentials_missing', status: 401 })
    expect(error.wwwAuthenticate).toBe('Bearer')
    // Another scheme is not a bearer token: same answer.
    expect(await rejectionCode(auth.authenticate({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }))).toBe(
      'credentials_missing',
    )
  })

  it('answers 400 invalid_request for malformed or repeated Bearer credentials', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a\tb', 'Bearer ä']) {
      const error = (await auth.authenticate({ headers: { authorization } }).catch((e) => e)) as AuthError
      expect(error.code).toBe('invalid_request')
      expect(error.status).toBe(400)
      expect(error.wwwAuthenticate).toContain('error="invalid_request"')
    }
    const token = await issuer.sign()
    expect(
      await rejectionCode(
        auth.authenticate({ headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } }),
      ),
    ).toBe('invalid_request')
  })

  it('accepts any case of the scheme, extra spaces, and a Fetch Headers object', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ sub: 'h' })
    await expect(auth.authenticate({ headers: { authorization: `bearer   ${token}` } })).resolves.toBeTruthy()
    await expect(
      auth.authenticate({ headers: new Headers({ Authorization: `BEARER ${token}` }) }),
    ).resolves.toBeTruthy()
  })

  it('lets an optional policy through anonymously, but still rejects a bad token', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    await expect(auth.authenticate({ headers: {} }, { optional: true })).resolves.toEqual({})
    expect(await rejectionCode(auth.authenticate(bearer('x.y.z'), { optional: true }))).toBe(
      'token_malformed',
    )
  })
})

describe('challenges and errors', () => {
  it('builds RFC 6750 challenges with realm and RFC 9728 resource_metadata', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { realm: 'orders', protectedResource: { resource: 'https://api.test/orders' } },
    )
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600 })
    const error = (await auth.authenticate(bearer(expired)).catch((e) => e)) as AuthError
    expect(error.wwwAuthenticate).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="The access token expired.", ' +
        'resource_metadata="https://api.test/.well-known/oauth-protected-resource/orders"',
    )
    expect(error.headers).toEqual({ 'www-authenticate': error.wwwAuthenticate })
    expect(error.toJSON()).toEqual({
      error: 'invalid_token',
      error_description: 'The access token expired.',
      code: 'token_expired',
    })
  })

  it('never names the expected issuer, audience or key in what the client sees', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    for (const claims of [{ aud: 'wrong' }, { iss: 'https://other' }, { exp: 1 }]) {
      const error = (await auth.authenticate(bearer(await issuer.sign(claims))).catch((e) => e)) as AuthError
      const visible = `${error.message} ${error.wwwAuthenticate} ${JSON.stringify(error.toJSON())}`
      expect(visible).not.toContain(issuer.url)
      expect(visible).not.toContain(AUDIENCE)
      expect(visible).not.toContain(issuer.key('ES256').kid)
    }
  })

  it('serves RFC 9728 protected-resource metadata', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { protectedResource: { resource: 'https://api.test', scopesSupported: ['read'] } },
    )
    expect(auth.protectedResourceMetadata()).toEqual({
      resource: 'https://api.test',
      authorization_servers: [issuer.url],
      scopes_supported: ['read'],
      bearer_methods_supported: ['header'],
    })
    expect(authFor(issuer).protectedResourceMetadata()).toBeUndefined()
  })
})

describe('authorization and revocation on every request', () => {
  it('answers 403 insufficient_scope with scope= when scopes are missing', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ scope: 'orders:read' })
    const error = (await auth
      .authenticate(bearer(token), { scopes: ['orders:read', 'orders:write'] })
      .catch((e) => e)) as AuthError
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect(error.wwwAuthenticate).toContain('error="insufficient_scope"')
    expect(error.wwwAuthenticate).toContain('scope="orders:read orders:write"')
    await expect(
      auth.authenticate(bearer(token), { anyScopes: ['orders:write', 'orders:read'] }),
    ).resolves.toBeTruthy()
    expect(await rejectionCode(auth.authenticate(bearer(token), { anyScopes: ['admin'] }))).toBe(
      'insufficient_scope',
    )
  })

  it('rejects a revoked token even while it sits in the L1 cache, and accepts it again once restored', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ jti: 'j-1', sub: 'ada' })
    await auth.authenticate(bearer(token))
    issuer.resetCounts()
    await auth.revoke.token('j-1', Math.floor(Date.now() / 1000) + 300)
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_revoked')
    await auth.revoke.undoToken('j-1')
    await expect(auth.authenticate(bearer(token))).resolves.toBeTruthy()
    expect(issuer.counts.jwks).toBe(0)
  })

  it('revokes every token of a subject issued before the cut-off, but not later ones', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const now = Math.floor(Date.now() / 1000)
    const old = await issuer.sign({ sub: 'ada', iat: now - 10 })
    const other = await issuer.sign({ sub: 'bob', iat: now - 10 })
    await auth.revoke.subject('ada', new Date((now - 5) * 1000))
    expect(await rejectionCode(auth.authenticate(bearer(old)))).toBe('token_revoked')
    await expect(auth.authenticate(bearer(other))).resolves.toBeTruthy()
    const fresh = await issuer.sign({ sub: 'ada', iat: now })
    await expect(auth.authenticate(bearer(fresh))).resolves.toBeTruthy()
    const noIat = await issuer.sign({ sub: 'ada', iat: undefined })
    expect(await rejectionCode(auth.authenticate(bearer(noIat)))).toBe('token_revoked')
  })

  it('does not accept a cached token after its exp', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, { clockToleranceSec: 0 })
    const token = await issuer.sign({ exp: Math.floor(Date.now() / 1000) + 1 })
    await auth.authenticate(bearer(token))
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_expired')
  })

  it('serves repeated tokens from the L1 cache and bounds it by entries', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const events: AuthEvent[] = []
    const observed = (await import('../src/index.js')).createAuth(
      { audience: AUDIENCE, issuers: [{ issuer: issuer.url }], tokenCache: { maxEntries: 2 } },
      { onEvent: (event) => events.push(event) },
    )
    const [a, b, c] = await Promise.all([
      issuer.sign({ sub: 'a' }),
      issuer.sign({ sub: 'b' }),
      issuer.sign({ sub: 'c' }),
    ])
    for (const token of [a, a, a, b, c, a, b]) await observed.authenticate(bearer(token))
    const cacheEvents = events
      .filter((e) => e.type === 'cache.hit' || e.type === 'cache.miss')
      .map((e) => e.type)
    // a miss, a hit, a hit, b miss, c miss (two entries at most: b goes, as a was served since it was stored
    // and gets a second chance), a hit, b miss again.
    expect(cacheEvents).toEqual([
      'cache.miss',
      'cache.hit',
      'cache.hit',
      'cache.miss',
      'cache.miss',
      'cache.hit',
      'cache.miss',
    ])
    expect(events.filter((e) => e.type === 'auth.success')).toHaveLength(7)
    await observed.close()
  })

  it('restricts a policy to some issuers, and refuses a policy naming an unconfigured one', async () => {
    const first = await issuerForTest({ algs: ['ES256'] })
    const second = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor([first, second])
    const policy = auth.policy({ issuers: [first.url] })
    await expect(auth.authenticate(bearer(await first.sign()), policy)).resolves.toBeTruthy()
    expect(await rejectionCode(auth.authenticate(bearer(await second.sign()), policy))).toBe(
      'token_issuer_unknown',
    )
    expect(() => auth.policy({ issuers: ['https://nowhere'] })).toThrow(/not a configured issuer/)
  })
})

describe('authorize() on an existing result', () => {
  it('checks a further policy without authenticating again', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { realm: 'api' })
    const result = await auth.authenticate(bearer(await issuer.sign({ scope: 'read' })))
    expect(() => auth.authorize(result, { scopes: ['read'] })).not.toThrow()
    const error = (() => {
      try {
        auth.authorize(result, { scopes: ['write'] })
      } catch (e) {
        return e as AuthError
      }
    })()
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect(error?.wwwAuthenticate).toContain('realm="api"')
    expect(() => auth.authorize({}, { scopes: ['read'] })).toThrow(
      expect.objectContaining({ code: 'credentials_missing' }),
    )
    expect(() => auth.authorize({}, { optional: true })).not.toThrow()
  })
})

describe('L1 cache lookups', () => {
  it('never serves a cached verification to a different token that shares its signature', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ sub: 'ada', scope: 'read' })
    await auth.authenticate(bearer(token))
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory', scope: 'admin' })).toString('base64url')}.${signature}`
    expect(await rejectionCode(auth.authenticate(bearer(forged)))).toBe('token_signature_invalid')
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ user: { subject: 'ada' } })
  })
})
