import { createHash, generateKeyPairSync } from 'node:crypto'
import { generateTestKey } from '@portcullis/testing'
import type { JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ConfigError, createAuth } from '../../src/index.js'
import { authFor, issuerForTest } from '../setup.js'
import { AUDIENCE, b64, fromBytes, nowSec, toFixedBytes, verdictFor } from './support.js'

// Key-set attacks: RFC 7517 §4 (JWK members), RFC 8725 §3.4–3.5 (validate inputs, use adequate keys),
// jsonwebtoken CVE-2022-23539 (legacy/insecure key types) and CVE-2022-23541 (key retrieval confusing RSA and
// HMAC), invalid-curve attacks (Biehl–Meyer–Müller; SEC 1 §3.2.2.1 public key validation), NIST SP 800-131A
// (RSA ≥ 2048), FIPS 186-5 §5.4 (RSA public exponent).

/** A real issuer publishing `jwk` next to its genuine ES256 key, and an Auth trusting it. */
async function issuerPublishing(jwk: JWK) {
  const issuer = await issuerForTest({ algs: ['ES256'] })
  issuer.publishJwk(jwk)
  const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
  const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'mallory', exp: nowSec() + 120 }
  return { issuer, auth, claims }
}

describe('invalid curve points in a key set — SEC 1 §3.2.2.1', () => {
  it('skips a P-256 JWK whose point is not on the curve, and still serves the genuine key', async () => {
    const key = generateTestKey('ES256', { kid: 'off-curve' })
    const y = fromBytes(Buffer.from(key.publicJwk.y as string, 'base64url')) ^ 1n
    const bad = { ...key.publicJwk, y: toFixedBytes(y, 32).toString('base64url') }
    const { issuer, auth, claims } = await issuerPublishing(bad)
    const forged = issuer.signRaw({ alg: 'ES256', kid: 'off-curve' }, claims, { key })
    expect(await verdictFor(auth, forged)).toBe('token_key_unknown')
    expect(await verdictFor(auth, await issuer.sign({}, { alg: 'ES256' }))).toBe('ok')
  })

  it('skips a P-256 JWK at (0, 0)', async () => {
    const zero = Buffer.alloc(32).toString('base64url')
    const { issuer, auth, claims } = await issuerPublishing({
      kty: 'EC',
      crv: 'P-256',
      x: zero,
      y: zero,
      kid: 'zero',
      alg: 'ES256',
    })
    const forged = issuer.signRaw({ alg: 'ES256', kid: 'zero' }, claims, { signature: Buffer.alloc(64) })
    expect(await verdictFor(auth, forged)).toBe('token_key_unknown')
  })

  it('skips a JWK whose crv does not match its coordinates (P-256 point labelled P-384)', async () => {
    const key = generateTestKey('ES256', { kid: 'relabelled' })
    const { issuer, auth, claims } = await issuerPublishing({ ...key.publicJwk, crv: 'P-384', alg: 'ES384' })
    const forged = issuer.signRaw({ alg: 'ES384', kid: 'relabelled' }, claims, {
      signature: Buffer.alloc(96, 1),
    })
    expect(await verdictFor(auth, forged)).toBe('token_key_unknown')
  })

  it('refuses an Ed25519 key at a small-order point (identity), which verifies R = identity, S = 0 for any message', async () => {
    const identity = Buffer.alloc(32)
    identity[0] = 1
    const { issuer, auth, claims } = await issuerPublishing({
      kty: 'OKP',
      crv: 'Ed25519',
      x: identity.toString('base64url'),
      kid: 'small-order',
      alg: 'EdDSA',
    })
    const signature = Buffer.concat([identity, Buffer.alloc(32)])
    const forged = issuer.signRaw({ alg: 'EdDSA', kid: 'small-order' }, claims, { signature })
    expect(await verdictFor(auth, forged)).not.toBe('ok')
  })
})

describe('weak RSA keys in a key set — NIST SP 800-131A, jsonwebtoken CVE-2022-23539, FIPS 186-5 §5.4', () => {
  it('refuses tokens signed by a 1024-bit RSA key the issuer publishes', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const weak = issuer.addKey({ alg: 'RS256', kid: 'rsa-1024', modulusLength: 1024 })
    const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
    expect(await verdictFor(auth, await issuer.sign({}, { key: weak }))).toBe('token_key_unknown')
  })

  it('refuses tokens signed by a 2047-bit RSA key (the bound is the modulus, not a rounded size)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const weak = issuer.addKey({ alg: 'RS256', kid: 'rsa-2047', modulusLength: 2047 })
    const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
    expect(await verdictFor(auth, await issuer.sign({}, { key: weak }))).toBe('token_key_unknown')
  })

  it('refuses an RSA key with public exponent 1, under which anyone can forge a signature', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const n = (publicKey.export({ format: 'jwk' }) as JWK).n as string
    const { issuer, auth, claims } = await issuerPublishing({
      kty: 'RSA',
      n,
      e: 'AQ',
      kid: 'e1',
      alg: 'RS256',
    })
    // With e = 1, s^e mod n = s: the EMSA-PKCS1-v1_5 encoding of the digest is itself a valid signature.
    const input = `${b64({ alg: 'RS256', kid: 'e1' })}.${b64(claims)}`
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(input).digest(),
    ])
    const encoded = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - digestInfo.length - 3, 0xff),
      Buffer.from([0]),
      digestInfo,
    ])
    expect(await verdictFor(auth, `${input}.${encoded.toString('base64url')}`)).not.toBe('ok')
    expect(issuer.counts.jwks).toBeGreaterThan(0)
  })
})

describe('keys a key set must never lend — RFC 7517 §4.2–4.4, jsonwebtoken CVE-2022-23541', () => {
  it('never takes a symmetric (oct) key from a key set: HS256 signed with its k is refused', async () => {
    const k = Buffer.from('attacker-known-secret-attacker-known-secret')
    const { issuer, auth, claims } = await issuerPublishing({
      kty: 'oct',
      k: k.toString('base64url'),
      kid: 'oct',
    })
    const forged = issuer.signRaw({ alg: 'HS256', kid: 'oct' }, claims, { hmacSecret: k })
    expect(await verdictFor(auth, forged)).toBe('token_algorithm_not_allowed')
  })

  it('never uses a key set entry that publishes its private part (a leaked key)', async () => {
    const leaked = generateTestKey('ES256', { kid: 'leaked' })
    const privateJwk = leaked.privateKey.export({ format: 'jwk' }) as JWK
    const { issuer, auth, claims } = await issuerPublishing({ ...privateJwk, kid: 'leaked', alg: 'ES256' })
    expect(
      await verdictFor(auth, issuer.signRaw({ alg: 'ES256', kid: 'leaked' }, claims, { key: leaked })),
    ).toBe('token_key_unknown')
  })

  it('never verifies with a key marked use: enc', async () => {
    const key = generateTestKey('ES256', { kid: 'enc-key' })
    const { issuer, auth, claims } = await issuerPublishing({ ...key.publicJwk, use: 'enc' })
    expect(await verdictFor(auth, issuer.signRaw({ alg: 'ES256', kid: 'enc-key' }, claims, { key }))).toBe(
      'token_key_unknown',
    )
  })

  it('never verifies with a key whose key_ops exclude verify', async () => {
    const key = generateTestKey('ES256', { kid: 'ops-key' })
    const { use: _use, ...jwk } = key.publicJwk
    const { issuer, auth, claims } = await issuerPublishing({ ...jwk, key_ops: ['encrypt', 'wrapKey'] })
    expect(await verdictFor(auth, issuer.signRaw({ alg: 'ES256', kid: 'ops-key' }, claims, { key }))).toBe(
      'token_key_unknown',
    )
  })

  it('skips an RSA JWK that claims alg HS256 (the HS/RS confusion through the key set)', async () => {
    const key = generateTestKey('RS256', { kid: 'hs-labelled' })
    const { issuer, auth, claims } = await issuerPublishing({ ...key.publicJwk, alg: 'HS256' })
    const forged = issuer.signRaw({ alg: 'HS256', kid: 'hs-labelled' }, claims, { hmacSecret: key.publicPem })
    expect(await verdictFor(auth, forged)).toBe('token_algorithm_not_allowed')
    const signedRs = issuer.signRaw({ alg: 'RS256', kid: 'hs-labelled' }, claims, { key })
    expect(await verdictFor(auth, signedRs)).toBe('token_key_unknown')
  })
})

describe('keys given in configuration — jsonwebtoken CVE-2022-23539', () => {
  it('refuses a 1024-bit RSA PEM at start-up', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(() =>
      createAuth({ audience: AUDIENCE, issuers: [{ issuer: 'https://issuer.test', publicKeys: [pem] }] }),
    ).toThrow(ConfigError)
  })

  it('refuses a DSA PEM at start-up (no JWS algorithm uses DSA)', () => {
    const { publicKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 })
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(() =>
      createAuth({ audience: AUDIENCE, issuers: [{ issuer: 'https://issuer.test', publicKeys: [pem] }] }),
    ).toThrow(ConfigError)
  })

  it('refuses a private key PEM where a public key is expected', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    // A private PEM would import as its public half; configuration must not hold private keys at all.
    expect(() =>
      createAuth({ audience: AUDIENCE, issuers: [{ issuer: 'https://issuer.test', publicKeys: [pem] }] }),
    ).toThrow(ConfigError)
  })
})

describe('issuer–key binding — RFC 8725 §3.8', () => {
  it('refuses a token claiming issuer A signed by trusted issuer B’s key', async () => {
    const a = await issuerForTest({ algs: ['ES256'] })
    const b = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor([a, b], {}, { rateLimit: { enabled: false } })
    const bKey = b.key('ES256')
    const claims = { iss: a.url, aud: AUDIENCE, sub: 'mallory', exp: nowSec() + 60 }
    expect(await verdictFor(auth, a.signRaw({ alg: 'ES256', kid: bKey.kid }, claims, { key: bKey }))).toBe(
      'token_key_unknown',
    )
    expect(await verdictFor(auth, await b.sign())).toBe('ok')
  })
})

describe('hostile key-set endpoints — RFC 8725 §3.4 (validate all inputs)', () => {
  it.each(['malformed', 'error500'] as const)(
    'answers 503 issuer_unavailable when the key set endpoint is %s, never 500 or a pass',
    async (mode) => {
      const issuer = await issuerForTest({ algs: ['ES256'] })
      issuer.setMode(mode)
      const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
      expect(await verdictFor(auth, await issuer.sign())).toBe('issuer_unavailable')
    },
  )

  it('refuses a key set larger than jwks.maxBytes instead of parsing it', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    for (let i = 0; i < 30; i++) {
      issuer.publishJwk({ ...generateTestKey('ES256').publicJwk, x5c: ['x'.repeat(1000)] })
    }
    const auth = authFor(issuer, {}, { rateLimit: { enabled: false }, jwks: { maxBytes: 16 * 1024 } })
    expect(await verdictFor(auth, await issuer.sign())).toBe('issuer_unavailable')
  })
})
