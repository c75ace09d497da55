import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWK, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateTestKey, startTestIssuer, type TestIssuer } from '../src/index.js'

async function publishedJwks(issuer: TestIssuer): Promise<JWK[]> {
  return ((await (await fetch(issuer.jwksUri)).json()) as { keys: JWK[] }).keys
}

describe('key management', () => {
  let issuer: TestIssuer
  beforeEach(async () => {
    issuer = await startTestIssuer({ algs: ['RS512', 'ES256'] })
  })
  afterEach(() => issuer.close())

  it('rotate publishes a new kid, signs with it, and keeps the old key published', async () => {
    const old = issuer.key('RS512')
    const fresh = issuer.rotate()
    expect(fresh.alg).toBe('RS512')
    expect(fresh.kid).not.toBe(old.kid)
    expect(issuer.key('RS512')).toBe(fresh)
    expect((await publishedJwks(issuer)).map((jwk) => jwk.kid)).toEqual([
      old.kid,
      issuer.key('ES256').kid,
      fresh.kid,
    ])

    const jwks = createRemoteJWKSet(new URL(issuer.jwksUri))
    const newToken = await issuer.sign()
    expect(decodeProtectedHeader(newToken).kid).toBe(fresh.kid)
    await expect(jwtVerify(newToken, jwks)).resolves.toBeTruthy()
    await expect(jwtVerify(await issuer.sign({}, { kid: old.kid }), jwks)).resolves.toBeTruthy()
  })

  it('rotate takes an alg', () => {
    const old = issuer.key('ES256')
    const fresh = issuer.rotate('ES256')
    expect(fresh.alg).toBe('ES256')
    expect(issuer.key('ES256')).toBe(fresh)
    expect(issuer.keys).toContain(old)
  })

  it('removeKey unpublishes the key so its tokens no longer verify', async () => {
    const old = issuer.key('RS512')
    issuer.rotate()
    issuer.removeKey(old.kid)
    expect((await publishedJwks(issuer)).map((jwk) => jwk.kid)).not.toContain(old.kid)
    expect(issuer.keys).not.toContain(old)

    // The issuer can still sign with a retired key, which is how "unknown kid" tests are written.
    const retiredToken = await issuer.sign({}, { kid: old.kid })
    await expect(jwtVerify(retiredToken, createRemoteJWKSet(new URL(issuer.jwksUri)))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    )
  })

  it('removeKey of the only key for an alg leaves no signer for it', () => {
    issuer.removeKey(issuer.key('ES256').kid)
    expect(() => issuer.key('ES256')).toThrow(/no ES256 key/)
  })

  it('removeKey of an unknown kid throws rather than silently doing nothing', () => {
    expect(() => issuer.removeKey('no-such-kid')).toThrow(/no-such-kid/)
  })

  it('addKey publishes a weak 1024-bit RSA key and makes it the newest for its alg', async () => {
    const weak = issuer.addKey({ alg: 'RS512', modulusLength: 1024, kid: 'weak' })
    expect(weak.kid).toBe('weak')
    expect(issuer.key('RS512')).toBe(weak)
    const published = (await publishedJwks(issuer)).find((jwk) => jwk.kid === 'weak')
    expect(Buffer.from(published?.n ?? '', 'base64url')).toHaveLength(128)
  })

  it('addKey publishes a key made elsewhere', async () => {
    const key = generateTestKey('EdDSA', { kid: 'ed-1' })
    expect(issuer.addKey(key)).toBe(key)
    expect((await publishedJwks(issuer)).find((jwk) => jwk.kid === 'ed-1')).toEqual(key.publicJwk)
  })

  it('addKey refuses a kid that is already published', () => {
    expect(() => issuer.addKey({ alg: 'ES256', kid: issuer.key('RS512').kid })).toThrow(/already published/)
  })

  it('publishJwk publishes a JWK exactly as given, and removeKey takes it back', async () => {
    const odd: JWK = { ...issuer.key('ES256').publicJwk, kid: 'enc-key', use: 'enc', key_ops: ['encrypt'] }
    issuer.publishJwk(odd)
    expect((await publishedJwks(issuer)).at(-1)).toEqual(odd)
    expect(issuer.keys.map((key) => key.kid)).not.toContain('enc-key')
    issuer.removeKey('enc-key')
    expect((await publishedJwks(issuer)).map((jwk) => jwk.kid)).not.toContain('enc-key')
  })

  it('lists published algs in discovery as keys come and go', async () => {
    issuer.addKey({ alg: 'EdDSA' })
    issuer.removeKey(issuer.key('ES256').kid)
    const document = (await (await fetch(issuer.discoveryUrl)).json()) as Record<string, unknown>
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS512', 'EdDSA'])
  })
})
