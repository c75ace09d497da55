import { createJwsSignature } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { authFor, issuerForTest } from '../setup.js'
import { AUDIENCE, nowSec, useTarget, verdictFor } from './support.js'

// Claim attacks: RFC 7519 §2 (NumericDate), §4.1 (registered claims), RFC 8725 §3.8 (issuer), §3.9 (audience),
// §2.7/§3.12 (substitution, cross-JWT confusion), RFC 9068 §2.2/§4 (required claims), RFC 8259 §4 (duplicate
// names), OWASP JWT cheat sheet, UTS #39 / UTS #36 (confusables, normalization).

const target = useTarget({ algs: ['RS512'] })

/** A token genuinely signed by the issuer whose payload is exactly `json` (for numbers JS cannot write). */
function signedPayload(json: string): string {
  const { issuer } = target()
  const key = issuer.key('RS512')
  return issuer.signRaw({ alg: 'RS512', kid: key.kid }, json, { key })
}

function rawClaims(members: string): string {
  const { issuer } = target()
  return `{"iss":"${issuer.url}","aud":"${AUDIENCE}","sub":"mallory",${members}}`
}

describe('time claims — RFC 7519 §2 NumericDate, §4.1.4–4.1.6', () => {
  it('refuses exp: 1e400 (parses to Infinity: a never-expiring token)', async () => {
    expect(await verdictFor(target().auth, signedPayload(rawClaims('"exp":1e400')))).toBe(
      'token_claims_invalid',
    )
  })

  it('refuses exp: -1e400 and other negative dates', async () => {
    expect(await verdictFor(target().auth, signedPayload(rawClaims('"exp":-1e400')))).toBe(
      'token_claims_invalid',
    )
    expect(await verdictFor(target().auth, signedPayload(rawClaims('"exp":-1')))).toMatch(
      /^token_(claims_invalid|expired)$/,
    )
  })

  it('refuses exp written as a bigint-ish string ("9007199254740993")', async () => {
    expect(await verdictFor(target().auth, signedPayload(rawClaims('"exp":"9007199254740993"')))).toBe(
      'token_claims_invalid',
    )
  })

  it('refuses exp as a numeric string in the future', async () => {
    const { auth, issuer } = target()
    expect(await verdictFor(auth, await issuer.sign({ exp: String(nowSec() + 600) }))).toBe(
      'token_claims_invalid',
    )
  })

  it.each([
    ['null', 'null'],
    ['true', 'true'],
    ['an array', '[4102444800]'],
    ['an object', '{"$gt":0}'],
    ['a date string', '"2100-01-01T00:00:00Z"'],
    ['an empty string', '""'],
  ])('refuses a non-numeric exp (%s)', async (_name, value) => {
    expect(await verdictFor(target().auth, signedPayload(rawClaims(`"exp":${value}`)))).toBe(
      'token_claims_invalid',
    )
  })

  it('refuses a token without exp (RFC 9068 §2.2, RFC 8725 §3.10: no unbounded lifetimes)', async () => {
    const { auth, issuer } = target()
    expect(await verdictFor(auth, await issuer.sign({ exp: undefined }))).toBe('token_claims_invalid')
  })

  it('refuses nbf: 1e400 and a non-numeric nbf', async () => {
    const exp = nowSec() + 60
    expect(await verdictFor(target().auth, signedPayload(rawClaims(`"exp":${exp},"nbf":1e400`)))).toBe(
      'token_claims_invalid',
    )
    expect(await verdictFor(target().auth, signedPayload(rawClaims(`"exp":${exp},"nbf":"0"`)))).toBe(
      'token_claims_invalid',
    )
  })

  it('refuses a token issued beyond the clock leeway in the future (iat)', async () => {
    const { auth, issuer } = target()
    expect(await verdictFor(auth, await issuer.sign({ iat: nowSec() + 3600, exp: nowSec() + 7200 }))).toBe(
      'token_not_yet_valid',
    )
  })

  it('refuses a token just past exp + leeway (the leeway is not a loophole)', async () => {
    const { auth, issuer } = target()
    expect(await verdictFor(auth, await issuer.sign({ iat: nowSec() - 600, exp: nowSec() - 31 }))).toBe(
      'token_expired',
    )
  })
})

describe('duplicate JSON members — RFC 7519 §4 / RFC 8259 §4: one parse decides', () => {
  it('takes the last of duplicate exp members: a past exp after a future one is expired', async () => {
    const past = nowSec() - 3600
    const future = nowSec() + 3600
    expect(await verdictFor(target().auth, signedPayload(rawClaims(`"exp":${future},"exp":${past}`)))).toBe(
      'token_expired',
    )
  })

  it('takes the last of duplicate iss members: an untrusted issuer after the trusted one is unknown', async () => {
    const { issuer, auth } = target()
    const json = `{"iss":"${issuer.url}","aud":"${AUDIENCE}","sub":"x","exp":${nowSec() + 60},"iss":"https://evil.test"}`
    expect(await verdictFor(auth, signedPayload(json))).toBe('token_issuer_unknown')
  })

  it('takes the last of duplicate aud members: a foreign audience after ours is refused', async () => {
    const { issuer, auth } = target()
    const json = `{"iss":"${issuer.url}","aud":"${AUDIENCE}","sub":"x","exp":${nowSec() + 60},"aud":"https://other.test"}`
    expect(await verdictFor(auth, signedPayload(json))).toBe('token_audience_invalid')
  })
})

describe('types where strings are expected — RFC 7519 §4.1.1–4.1.3, §4.1.7', () => {
  it('refuses iss given as an array containing the trusted issuer', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ iss: [issuer.url] }))).toBe('token_claims_invalid')
  })

  it('refuses iss given as an object', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ iss: { toString: issuer.url } }))).toBe(
      'token_claims_invalid',
    )
  })

  it('refuses sub given as an array (generic preset)', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ sub: ['admin'] }))).toBe('token_claims_invalid')
  })

  it('refuses sub given as an object outside the Mercury preset', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ sub: { uuid: 'admin' } }))).toBe('token_claims_invalid')
  })

  it('refuses aud nested one array deeper', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ aud: [[AUDIENCE]] }))).toBe('token_audience_invalid')
  })

  it('refuses aud given as an object with the audience as a value', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ aud: { 0: AUDIENCE, length: 1 } }))).toBe(
      'token_audience_invalid',
    )
  })

  it('refuses a numeric jti (it would slip past jti revocation, which keys on strings)', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ jti: 12345 }))).toBe('token_claims_invalid')
  })

  it('ignores scope members of the wrong type instead of coercing them', async () => {
    const { issuer, auth } = target()
    const token = await issuer.sign({
      scope: { admin: true },
      scp: 42,
      scopes: [['admin']],
      permissions: [{ name: 'admin' }],
    })
    expect(await verdictFor(auth, token, { scopes: ['admin'] })).toBe('insufficient_scope')
  })
})

describe('issuer identity is exact — RFC 8725 §3.8, RFC 3986 §6 (no normalization of trust anchors)', () => {
  it.each([
    ['a trailing slash', (url: string) => `${url}/`],
    ['an upper-case scheme and host', (url: string) => url.replace('http://127.0.0.1', 'HTTP://127.0.0.1')],
    ['a trailing zero-width space', (url: string) => `${url}\u200b`],
    ['a trailing NUL', (url: string) => `${url}\u0000`],
    ['a dot segment', (url: string) => `${url}/.`],
    ['localhost for 127.0.0.1', (url: string) => url.replace('127.0.0.1', 'localhost')],
  ])('treats an iss with %s as an unknown issuer', async (_name, mutate) => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ iss: mutate(issuer.url) }))).toBe(
      'token_issuer_unknown',
    )
  })

  it('treats a homoglyph of the issuer path (Cyrillic е) as an unknown issuer', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'], issuerPath: '/tenant' })
    const auth = authFor(issuer, {}, { rateLimit: { enabled: false } })
    expect(
      await verdictFor(auth, await issuer.sign({ iss: issuer.url.replace('/tenant', '/t\u0435nant') })),
    ).toBe('token_issuer_unknown')
    expect(await verdictFor(auth, await issuer.sign())).toBe('ok')
  })

  it('does not normalize Unicode in iss: an NFD spelling of an NFC issuer is unknown', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'], issuerPath: '/caf\u00e9' })
    const auth = authFor(
      issuer,
      { jwksUri: issuer.jwksUri, discovery: false },
      { rateLimit: { enabled: false } },
    )
    const nfd = issuer.url.normalize('NFD')
    expect(nfd).not.toBe(issuer.url)
    expect(await verdictFor(auth, await issuer.sign({ iss: nfd }))).toBe('token_issuer_unknown')
  })
})

describe('audience is exact — RFC 8725 §3.9, RFC 9068 §4 (substitution across services)', () => {
  it.each([
    ['a trailing slash', `${AUDIENCE}/`],
    ['upper case', AUDIENCE.toUpperCase()],
    ['a zero-width joiner', `${AUDIENCE}\u200d`],
    ['a suffix domain', `${AUDIENCE}.evil.test`],
    ['a prefix', AUDIENCE.slice(0, -1)],
    ['the NFKC look-alike full-width colon', AUDIENCE.replace(':', '\uff1a')],
  ])('refuses aud with %s', async (_name, aud) => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ aud }))).toBe('token_audience_invalid')
  })

  it('refuses a token issued for another service of the same issuer (cross-service substitution)', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ aud: 'https://payments.test' }))).toBe(
      'token_audience_invalid',
    )
  })

  it('refuses a token with no aud at all', async () => {
    const { issuer, auth } = target()
    expect(await verdictFor(auth, await issuer.sign({ aud: undefined }))).toBe('token_audience_invalid')
  })

  it('refuses an ID token for a client (aud = client id) used as an access token (RFC 8725 §2.8)', async () => {
    const { issuer, auth } = target()
    const idToken = await issuer.sign({ aud: 'spa-client-id', nonce: 'n', azp: 'spa-client-id' })
    expect(await verdictFor(auth, idToken)).toBe('token_audience_invalid')
  })
})

describe('payload encoding — RFC 7519 §7.2, RFC 8725 §3.7 (UTF-8)', () => {
  it('never accepts a payload with invalid UTF-8 (lone continuation bytes in iss)', async () => {
    const { issuer, auth } = target()
    const key = issuer.key('RS512')
    const json = Buffer.concat([
      Buffer.from(`{"iss":"${issuer.url}`),
      Buffer.from([0x80, 0xbf]),
      Buffer.from(`","aud":"${AUDIENCE}","sub":"x","exp":${nowSec() + 60}}`),
    ])
    const h = Buffer.from(JSON.stringify({ alg: 'RS512', kid: key.kid })).toString('base64url')
    const p = json.toString('base64url')
    // signRaw takes text, so the exact bytes are signed with the issuer's key directly.
    const sig = createJwsSignature('RS512', key.privateKey, `${h}.${p}`).toString('base64url')
    expect(await verdictFor(auth, `${h}.${p}.${sig}`)).toBe('token_issuer_unknown')
  })

  it('refuses a payload with a byte-order mark', async () => {
    expect(
      await verdictFor(target().auth, signedPayload(`\ufeff${rawClaims(`"exp":${nowSec() + 60}`)}`)),
    ).toBe('token_malformed')
  })

  it('refuses a payload that is a JSON array or string', async () => {
    expect(await verdictFor(target().auth, signedPayload('["admin"]'))).toBe('token_malformed')
    expect(await verdictFor(target().auth, signedPayload('"admin"'))).toBe('token_malformed')
  })
})
