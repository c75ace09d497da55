import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

async function setup() {
  const issuer = await issuerForTest({ algs: ['RS512', 'ES256'] })
  const auth = authFor(issuer)
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: issuer.url, aud: 'https://api.test', sub: 'mallory', iat: now, exp: now + 300 }
  return { issuer, auth, claims }
}

describe('refuses forged and malformed tokens', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s without a signature', async (alg) => {
    const { issuer, auth, claims } = await setup()
    const token = issuer.signRaw({ alg, typ: 'JWT' }, claims, { signature: '' })
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toMatch(
      /token_(malformed|algorithm_not_allowed)/,
    )
    const withJunkSignature = issuer.signRaw({ alg, typ: 'JWT' }, claims, { signature: 'AAAA' })
    expect(await rejectionCode(auth.authenticate(bearer(withJunkSignature)))).toBe(
      'token_algorithm_not_allowed',
    )
  })

  it('refuses HS256 signed with the RSA public key (algorithm confusion)', async () => {
    const { issuer, auth, claims } = await setup()
    const key = issuer.key('RS512')
    for (const secret of [key.publicPem, JSON.stringify(key.publicJwk)]) {
      const token = issuer.signRaw({ alg: 'HS256', kid: key.kid }, claims, { hmacSecret: secret })
      expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_algorithm_not_allowed')
    }
  })

  it('refuses HS256 with the RSA public key even when the issuer allows HS256 alongside a secret', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const secret = 'a-shared-secret-of-at-least-32-characters!'
    const auth = authFor(issuer, { algorithms: ['HS256'], hsSecret: secret })
    const now = Math.floor(Date.now() / 1000)
    const claims = { iss: issuer.url, aud: 'https://api.test', sub: 'x', exp: now + 60 }
    const forged = issuer.signRaw({ alg: 'HS256' }, claims, { hmacSecret: issuer.key('RS512').publicPem })
    expect(await rejectionCode(auth.authenticate(bearer(forged)))).toBe('token_signature_invalid')
    const genuine = issuer.signRaw({ alg: 'HS256' }, claims, { hmacSecret: secret })
    await expect(auth.authenticate(bearer(genuine))).resolves.toMatchObject({ user: { subject: 'x' } })
  })

  it('refuses a token whose alg does not fit the key it names', async () => {
    const { issuer, auth, claims } = await setup()
    const rsaKid = issuer.key('RS512').kid
    // ES256 header pointing at the RSA key, signed by the EC key.
    const token = issuer.signRaw({ alg: 'ES256', kid: rsaKid }, claims, { key: issuer.key('ES256') })
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toMatch(
      /token_(key_unknown|signature_invalid)/,
    )
    // RS256 is not the JWK's pinned alg (RS512), even though the key is RSA.
    const rs256 = issuer.signRaw({ alg: 'RS256', kid: rsaKid }, claims, { signature: 'AAAA' })
    expect(await rejectionCode(auth.authenticate(bearer(rs256)))).toMatch(
      /token_(key_unknown|signature_invalid)/,
    )
  })

  it('refuses a tampered payload and a tampered signature', async () => {
    const { issuer, auth } = await setup()
    const token = await issuer.sign({ sub: 'alice', scope: 'read' })
    const [h, p, s] = token.split('.') as [string, string, string]
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString())
    const tampered = `${h}.${b64({ ...payload, scope: 'admin' })}.${s}`
    expect(await rejectionCode(auth.authenticate(bearer(tampered)))).toBe('token_signature_invalid')
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('A') ? 'B' : 'A'}${s.slice(-1)}`
    expect(await rejectionCode(auth.authenticate(bearer(flipped)))).toBe('token_signature_invalid')
    const stripped = `${h}.${p}.`
    expect(await rejectionCode(auth.authenticate(bearer(stripped)))).toBe('token_malformed')
    const truncated = `${h}.${p}.${s.slice(0, 20)}`
    expect(await rejectionCode(auth.authenticate(bearer(truncated)))).toBe('token_signature_invalid')
  })

  it('refuses JWE and other five-part tokens, and tokens with too few parts', async () => {
    const { auth } = await setup()
    const jwe = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.AAAA.AAAA.AAAA.AAAA`
    expect(await rejectionCode(auth.authenticate(bearer(jwe)))).toBe('token_unsupported')
    expect(await rejectionCode(auth.authenticate(bearer('a.b.c.d')))).toBe('token_unsupported')
    expect(await rejectionCode(auth.authenticate(bearer('abc.def')))).toBe('token_malformed')
    expect(await rejectionCode(auth.authenticate(bearer('abcdef')))).toBe('token_malformed')
  })

  it('refuses oversized tokens before parsing them', async () => {
    const { issuer, auth } = await setup()
    const token = await issuer.sign({ sub: 'big', padding: 'x'.repeat(10_000) })
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_too_large')
  })

  it('refuses bad base64url segments', async () => {
    const { issuer, auth, claims } = await setup()
    const good = await issuer.sign()
    const [h, p, s] = good.split('.') as [string, string, string]
    for (const token of [
      `${h}=.${p}.${s}`,
      `${h}.${p}+.${s}`,
      `${h}.${p}.${s}/`,
      `${h}.${p}!.${s}`,
      `${h}.${p}A.${s}`,
    ]) {
      // Some of these are not even b64token characters (RFC 6750), so the request itself is malformed.
      expect(await rejectionCode(auth.authenticate(bearer(token)))).toMatch(
        /token_(malformed|signature_invalid)|invalid_request/,
      )
    }
    const notJson = `${b64('not json')}.${b64(claims)}.${s}`
    expect(await rejectionCode(auth.authenticate(bearer(notJson)))).toBe('token_malformed')
    const arrayPayload = `${h}.${b64([1, 2])}.${s}`
    expect(await rejectionCode(auth.authenticate(bearer(arrayPayload)))).toBe('token_malformed')
  })

  it('refuses critical header extensions, unencoded payloads and compression', async () => {
    const { issuer, auth, claims } = await setup()
    const key = issuer.key('RS512')
    for (const extra of [
      { crit: ['exp'], exp: 1 },
      { crit: ['b64'], b64: false },
      { b64: true },
      { zip: 'DEF' },
    ]) {
      const token = issuer.signRaw({ alg: 'RS512', kid: key.kid, ...extra }, claims, { key })
      expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_unsupported')
    }
  })

  it('ignores keys embedded in or pointed to by the header (jwk, jku, x5u, x5c)', async () => {
    const { issuer, auth, claims } = await setup()
    const attacker = await issuerForTest({ algs: ['RS512'] })
    const evilKey = attacker.key('RS512')
    const token = issuer.signRaw(
      {
        alg: 'RS512',
        kid: evilKey.kid,
        jwk: evilKey.publicJwk,
        jku: attacker.jwksUri,
        x5u: attacker.jwksUri,
        x5c: ['AAAA'],
      },
      claims,
      { key: evilKey },
    )
    expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_key_unknown')
    expect(attacker.counts.jwks).toBe(0)
    // The same header tricks around a genuine signature change nothing: the real key still decides.
    const genuine = issuer.signRaw(
      { alg: 'RS512', kid: issuer.key('RS512').kid, jwk: evilKey.publicJwk, jku: attacker.jwksUri },
      claims,
      { key: issuer.key('RS512') },
    )
    await expect(auth.authenticate(bearer(genuine))).resolves.toMatchObject({ user: { subject: 'mallory' } })
  })

  it('refuses kid values that are not short strings', async () => {
    const { issuer, auth, claims } = await setup()
    for (const kid of [42, { $ne: null }, 'k'.repeat(1000), '']) {
      const token = issuer.signRaw({ alg: 'RS512', kid }, claims, { key: issuer.key('RS512') })
      expect(await rejectionCode(auth.authenticate(bearer(token)))).toBe('token_malformed')
    }
    const pathKid = issuer.signRaw({ alg: 'RS512', kid: '../../dev/null' }, claims, {
      key: issuer.key('RS512'),
    })
    expect(await rejectionCode(auth.authenticate(bearer(pathKid)))).toBe('token_key_unknown')
  })

  it('uses the last of duplicate JSON members consistently with the signed bytes', async () => {
    const { issuer, auth } = await setup()
    const now = Math.floor(Date.now() / 1000)
    const raw = `{"iss":"${issuer.url}","aud":"https://api.test","sub":"alice","sub":"admin","exp":${now + 60}}`
    const token = issuer.signRaw({ alg: 'RS512', kid: issuer.key('RS512').kid }, raw, {
      key: issuer.key('RS512'),
    })
    // Signed as-is by the issuer, so it verifies; what matters is that one parse decides, not two.
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ user: { subject: 'admin' } })
  })

  it('never throws anything but AuthError for garbage input', async () => {
    const { auth } = await setup()
    const hmac = createHmac('sha256', 'k').update('x').digest('base64url')
    for (const token of [
      '.',
      '..',
      '...',
      'a..b',
      `${hmac}.${hmac}.${hmac}`,
      'eyJ.eyJ.eyJ',
      '-_-_.-_-_.-_-_',
    ]) {
      const code = await rejectionCode(auth.authenticate(bearer(token)))
      expect(code).toMatch(/^(token_\w+|invalid_request)$/)
    }
  })
})
