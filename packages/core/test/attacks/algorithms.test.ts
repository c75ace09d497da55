import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, createAuth } from '../../src/index.js'
import { AUDIENCE, nowSec, useTarget, verdictFor } from './support.js'

// Algorithm attacks: RFC 8725 §2.1 / §3.1 (weak signatures, algorithm verification), RFC 7518 §3.6 (none),
// CVE-2015-9235 (jsonwebtoken HS/RS confusion), express-jwt CVE-2020-15084, fast-jwt CVE-2023-48223,
// jsonwebtoken CVE-2022-23540 (insecure default algorithm), OWASP JWT cheat sheet "None hashing algorithm".

const target = useTarget({ algs: ['RS512', 'ES256', 'ES384'] })

describe('unsecured JWS (alg none) in every casing — RFC 7518 §3.6, RFC 8725 §3.1, OWASP', () => {
  it.each(['none', 'None', 'NONE', 'nOnE', 'NoNe'])('refuses alg %j with an empty signature', async (alg) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg, typ: 'JWT' }, claims(), { signature: '' })
    // An empty third segment is malformed before alg is even looked at; either way it is refused.
    expect(await verdictFor(auth, token)).toMatch(/^token_(malformed|algorithm_not_allowed)$/)
  })

  it('refuses alg none carrying a junk signature (a parser that skips the check for none would pass it)', async () => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'none' }, claims(), { signature: 'AAAA' })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it('refuses alg none with the kid of a real key (the kid must not pull in a verifier that accepts none)', async () => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'none', kid: issuer.key('RS512').kid }, claims(), {
      signature: 'AAAA',
    })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })
})

describe('algorithm confusion — CVE-2015-9235, express-jwt CVE-2020-15084, RFC 8725 §2.1', () => {
  it('refuses HS256 signed with the issuer’s RSA public key PEM as the HMAC secret', async () => {
    const { issuer, auth, claims } = target()
    const key = issuer.key('RS512')
    const token = issuer.signRaw({ alg: 'HS256', kid: key.kid }, claims(), { hmacSecret: key.publicPem })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it('refuses HS256 signed with the issuer’s published JWK (JSON text) as the secret', async () => {
    const { issuer, auth, claims } = target()
    const key = issuer.key('ES256')
    const token = issuer.signRaw({ alg: 'HS256', kid: key.kid }, claims(), {
      hmacSecret: JSON.stringify(key.publicJwk),
    })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it('refuses HS256 with the public PEM when the issuer config names no algorithms (express-jwt CVE-2020-15084)', async () => {
    const { issuer, auth, claims } = target()
    // The shared target configures no `algorithms`: the default must be asymmetric-only.
    const token = issuer.signRaw({ alg: 'HS256' }, claims(), { hmacSecret: issuer.key('RS512').publicPem })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it.each(['HS384', 'HS512'])(
    'refuses %s even though HMAC is a JWS algorithm (HS* needs an explicit opt-in)',
    async (alg) => {
      const { issuer, auth, claims } = target()
      const token = issuer.signRaw({ alg }, claims(), { hmacSecret: issuer.key('RS512').publicPem })
      expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
    },
  )

  it('refuses an ES256 header pointing at the RSA key, signed by the EC key (RFC 8725 §3.1: key and alg must match)', async () => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'ES256', kid: issuer.key('RS512').kid }, claims(), {
      key: issuer.key('ES256'),
    })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it('refuses RS256 on a JWK pinned to RS512 (RFC 7517 §4.4: a JWK’s alg pins it)', async () => {
    const { issuer, auth, claims } = target()
    // Signed for real with the RSA key under RS256: a verifier ignoring the JWK's alg would accept it.
    const rsa = issuer.key('RS512')
    const rs256 = { ...rsa, alg: 'RS256' as const }
    const token = issuer.signRaw({ alg: 'RS256', kid: rsa.kid }, claims(), { key: rs256 })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it('refuses PS512 on a JWK pinned to RS512 (same RSA key, other padding)', async () => {
    const { issuer, auth, claims } = target()
    const rsa = issuer.key('RS512')
    const token = issuer.signRaw({ alg: 'PS512', kid: rsa.kid }, claims(), { key: { ...rsa, alg: 'PS512' } })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it('refuses ES384 on a P-256 key (curve and alg must agree, RFC 7518 §3.4)', async () => {
    const { issuer, auth, claims } = target()
    const p256 = issuer.key('ES256')
    const token = issuer.signRaw({ alg: 'ES384', kid: p256.kid }, claims(), {
      signature: Buffer.alloc(96, 1),
    })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it.each([
    ['lower-case', 'rs512'],
    ['trailing space', 'RS512 '],
    ['NUL suffix', 'RS512\u0000'],
    ['homoglyph (Cyrillic Ѕ)', '\u0405S512'],
  ])('refuses an alg that only looks allowed (%s)', async (_name, alg) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg, kid: issuer.key('RS512').kid }, claims(), {
      key: issuer.key('RS512'),
    })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it.each([
    ['an array', ['RS512']],
    ['a number', 512],
    ['null', null],
    ['an object', { name: 'RS512' }],
  ])('refuses alg given as %s (RFC 7515 §4.1.1: alg is a string)', async (_name, alg) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg, kid: issuer.key('RS512').kid }, claims(), {
      key: issuer.key('RS512'),
    })
    expect(await verdictFor(auth, token)).toBe('token_malformed')
  })
})

describe('secrets that are public keys — fast-jwt CVE-2023-48223 class, RFC 8725 §3.5', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()

  it.each([
    ['an SPKI PEM public key', spki],
    ['a PKCS#1 "RSA PUBLIC KEY" PEM behind leading whitespace', `\n   ${pkcs1}`],
  ])('refuses %s configured as hsSecret: whoever has the public key could sign', (_name, secret) => {
    expect(() =>
      createAuth({
        audience: AUDIENCE,
        issuers: [{ issuer: 'https://issuer.test', algorithms: ['HS256'], hsSecret: secret }],
      }),
    ).toThrow(ConfigError)
  })

  it('never verifies with a symmetric JWK given as a static public key (jsonwebtoken CVE-2022-23541 class)', async () => {
    const { issuer } = target()
    const k = 'x'.repeat(40)
    const auth = createAuth({
      audience: AUDIENCE,
      rateLimit: { enabled: false },
      issuers: [
        { issuer: issuer.url, publicKeys: [{ kty: 'oct', k: Buffer.from(k).toString('base64url') }] },
      ],
    })
    try {
      const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'x', exp: nowSec() + 60 }
      const token = issuer.signRaw({ alg: 'HS256' }, claims, { hmacSecret: k })
      expect(await verdictFor(auth, token)).not.toBe('ok')
    } finally {
      await auth.close()
    }
  })
})

describe('no key, no acceptance — jsonwebtoken CVE-2022-23540', () => {
  it('refuses tokens that no configured key verifies: a key miss is never a pass', async () => {
    const { issuer } = target()
    const auth = createAuth({
      audience: AUDIENCE,
      rateLimit: { enabled: false },
      issuers: [{ issuer: issuer.url, publicKeys: [issuer.key('ES256').publicPem] }],
    })
    try {
      const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'x', exp: nowSec() + 60 }
      for (const token of [
        issuer.signRaw({ alg: 'RS512' }, claims, { signature: 'AAAA' }),
        issuer.signRaw({ alg: 'ES256', kid: 'nope' }, claims, { signature: Buffer.alloc(64) }),
      ]) {
        expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
      }
    } finally {
      await auth.close()
    }
  })
})
