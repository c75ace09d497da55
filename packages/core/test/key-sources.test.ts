import { describe, expect, it, vi } from 'vitest'
import { authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

const fast = { cooldownSec: 0 }

describe('remote key sets', () => {
  it('rejects a token from an unknown issuer without any fetch', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const stranger = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const token = await stranger.sign()
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_issuer_unknown')
    expect(issuer.counts).toEqual({ jwks: 0, discovery: 0 })
    expect(stranger.counts).toEqual({ jwks: 0, discovery: 0 })
  })

  it('finds the key set through OIDC discovery once, then serves from memory', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    for (let i = 0; i < 5; i++) await auth.authenticate(bearer(await issuer.sign({ sub: `u${i}` })))
    expect(issuer.counts).toEqual({ jwks: 1, discovery: 1 })
  })

  it('uses a configured jwksUri without discovery, and the derived /.well-known/jwks.json with discovery off', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const withUri = authFor(issuer, { jwksUri: `${issuer.url}/jwks` })
    await withUri.authenticate(bearer(await issuer.sign()))
    expect(issuer.counts).toEqual({ jwks: 1, discovery: 0 })
    const derived = authFor(issuer, { discovery: false })
    await derived.authenticate(bearer(await issuer.sign()))
    expect(issuer.counts).toEqual({ jwks: 2, discovery: 0 })
  })

  it('refuses a discovery document that names another issuer', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    issuer.setDiscovery({ issuer: 'https://evil.example' })
    const auth = authFor(issuer)
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign())))).toBe('issuer_unavailable')
    expect(issuer.counts.jwks).toBe(0)
  })

  it('refreshes once on an unknown kid, then rejects', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { jwks: fast })
    await auth.authenticate(bearer(await issuer.sign()))
    const stray = issuer.addKey({ alg: 'ES256' })
    issuer.removeKey(stray.kid)
    issuer.resetCounts()
    const token = await issuer.sign({}, { kid: stray.kid })
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_key_unknown')
    expect(issuer.counts.jwks).toBe(1)
  })

  it('picks up a rotated key without a restart', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const auth = authFor(issuer, {}, { jwks: fast })
    const before = await issuer.sign()
    await auth.authenticate(bearer(before))
    const old = issuer.key('RS512')
    const fresh = issuer.rotate('RS512')
    issuer.removeKey(old.kid)
    const after = await issuer.sign()
    expect(after).not.toBe(before)
    await expect(auth.authenticate(bearer(after))).resolves.toBeTruthy()
    const decodedKid = JSON.parse(Buffer.from(after.split('.')[0] as string, 'base64url').toString()).kid
    expect(decodedKid).toBe(fresh.kid)
  })

  it('turns a storm of random kids into at most one fetch per cooldown', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { jwks: { cooldownSec: 30 } })
    await auth.authenticate(bearer(await issuer.sign()))
    issuer.resetCounts()
    const key = issuer.key('ES256')
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        issuer.sign({ sub: `s${i}` }, { key, header: { kid: `random-${i}` } }),
      ),
    )
    const codes = await Promise.all(tokens.map((token) => rejectionCode(auth.authenticate(bearer(token)))))
    expect(new Set(codes)).toEqual(new Set(['token_key_unknown']))
    expect(issuer.counts.jwks).toBeLessThanOrEqual(1)
  })

  it('shares one in-flight fetch between concurrent first requests', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    issuer.slowMs = 150
    issuer.setMode('slow')
    const auth = authFor(issuer)
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => issuer.sign({ sub: `c${i}` })))
    await Promise.all(tokens.map((token) => auth.authenticate(bearer(token))))
    expect(issuer.counts).toEqual({ jwks: 1, discovery: 1 })
  })

  it('keeps verifying with cached keys while the issuer is down', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { jwks: { ttlSec: 1, cooldownSec: 0 } })
    await auth.authenticate(bearer(await issuer.sign({ sub: 'warm' })))
    issuer.setMode('down')
    await new Promise((resolve) => setTimeout(resolve, 1100))
    // Past the TTL: a background refresh fails, the stale set keeps serving.
    await expect(auth.authenticate(bearer(await issuer.sign({ sub: 'during-outage' })))).resolves.toBeTruthy()
    await vi.waitFor(() => expect(issuer.counts.jwks).toBeGreaterThanOrEqual(2))
    await expect(
      auth.authenticate(bearer(await issuer.sign({ sub: 'after-failed-refresh' }))),
    ).resolves.toBeTruthy()
  })

  it('answers 503 issuer_unavailable, never a crash, when the issuer is down and no keys are cached', async () => {
    for (const mode of ['down', 'error500', 'malformed'] as const) {
      const issuer = await issuerForTest({ algs: ['ES256'] })
      issuer.setMode(mode)
      const auth = authFor(issuer)
      const error = await auth.authenticate(bearer(await issuer.sign())).catch((e) => e)
      expect(error).toMatchObject({ code: 'issuer_unavailable', status: 503 })
    }
  })

  it('gives up on a slow issuer after the timeout', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    issuer.slowMs = 2000
    issuer.setMode('slow')
    const auth = authFor(issuer, {}, { jwks: { timeoutMs: 200 } })
    const started = Date.now()
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign())))).toBe('issuer_unavailable')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('does not hammer a down issuer: failures are retried at most once per cooldown', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    issuer.setMode('error500')
    const auth = authFor(issuer, { jwksUri: issuer.jwksUri }, { jwks: { cooldownSec: 30 } })
    for (let i = 0; i < 20; i++) {
      expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({ sub: `x${i}` }))))).toBe(
        'issuer_unavailable',
      )
    }
    expect(issuer.counts.jwks).toBe(1)
  })

  it('ignores unusable keys in a JWKS: wrong use, key_ops without verify, symmetric, private, weak RSA', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { jwks: fast })
    const weak = issuer.addKey({ alg: 'RS256', modulusLength: 1024 })
    const enc = issuer.addKey({ alg: 'ES256' })
    issuer.removeKey(enc.kid)
    issuer.publishJwk({ ...enc.publicJwk, use: 'enc' })
    const opsKey = issuer.addKey({ alg: 'ES256' })
    issuer.removeKey(opsKey.kid)
    issuer.publishJwk({ ...opsKey.publicJwk, key_ops: ['encrypt'] })
    issuer.publishJwk({ kty: 'oct', kid: 'hmac', k: Buffer.from('secret'.repeat(8)).toString('base64url') })

    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({}, { key: weak }))))).toBe(
      'token_key_unknown',
    )
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({}, { key: enc }))))).toBe(
      'token_key_unknown',
    )
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign({}, { key: opsKey }))))).toBe(
      'token_key_unknown',
    )
    const hmacToken = issuer.signRaw(
      { alg: 'HS256', kid: 'hmac' },
      { iss: issuer.url, aud: 'https://api.test', exp: 9e9 },
      {
        hmacSecret: 'secret'.repeat(8),
      },
    )
    expect(await rejectionCode(auth.authenticate(bearer(hmacToken)))).toBe('token_algorithm_not_allowed')
    // The good key in the same set still works.
    await expect(auth.authenticate(bearer(await issuer.sign()))).resolves.toBeTruthy()
  })

  it('refuses an EC key whose point is not on the curve', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const good = issuer.key('ES256')
    issuer.removeKey(good.kid)
    const y = Buffer.from(good.publicJwk.y as string, 'base64url')
    y[y.length - 1] = (y[y.length - 1] as number) ^ 1
    issuer.publishJwk({ ...good.publicJwk, y: y.toString('base64url') })
    const auth = authFor(issuer)
    const error = await auth.authenticate(bearer(await issuer.sign({}, { key: good }))).catch((e) => e)
    // The only key in the set is unusable, so the set is unusable: nothing verifies.
    expect(error.code).toBe('issuer_unavailable')
  })

  it('follows a JWK alg pin: an RS256-pinned key does not verify RS512', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(issuer)
    const key = issuer.key('RS256')
    const token = await issuer.sign({}, { key, alg: 'RS256' })
    await expect(auth.authenticate(bearer(token))).resolves.toBeTruthy()
    const now = Math.floor(Date.now() / 1000)
    const rs512 = issuer.signRaw(
      { alg: 'RS512', kid: key.kid },
      { iss: issuer.url, aud: 'https://api.test', exp: now + 60 },
      {
        signature: Buffer.alloc(256, 1),
      },
    )
    expect(await rejectionCode(auth.authenticate(bearer(rs512)))).toBe('token_key_unknown')
  })
})

describe('static keys', () => {
  it('verifies with a configured PEM or JWK and never fetches', async () => {
    const issuer = await issuerForTest({ algs: ['RS512', 'EdDSA'] })
    const pemAuth = authFor(issuer, { publicKeys: [issuer.key('RS512').publicPem] })
    await expect(pemAuth.authenticate(bearer(await issuer.sign({}, { alg: 'RS512' })))).resolves.toBeTruthy()
    const jwkAuth = authFor(issuer, {
      publicKeys: [issuer.key('EdDSA').publicJwk as Record<string, unknown>],
    })
    await expect(jwkAuth.authenticate(bearer(await issuer.sign({}, { alg: 'EdDSA' })))).resolves.toBeTruthy()
    expect(issuer.counts).toEqual({ jwks: 0, discovery: 0 })
  })

  it('fails at start-up on a PEM that fits none of the issuer algorithms or a weak RSA key', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    expect(() =>
      authFor(issuer, { publicKeys: [issuer.key('ES256').publicPem], algorithms: ['RS256'] }),
    ).toThrow(/issuers\[0\]\.publicKeys\[0\]/)
    const weak = issuer.addKey({ alg: 'RS256', modulusLength: 1024 })
    expect(() => authFor(issuer, { publicKeys: [weak.publicPem] })).toThrow(/2048/)
    expect(() => authFor(issuer, { publicKeys: ['not a pem'] })).toThrow(/publicKeys\[0\]/)
  })

  it('surfaces a bad static JWK from ready()', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, { publicKeys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] })
    await expect(auth.ready()).resolves.toBeUndefined()
    expect(await rejectionCode(auth.authenticate(bearer(await issuer.sign())))).toBe('auth_unavailable')
  })
})
