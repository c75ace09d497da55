import { describe, expect, it } from 'vitest'
import { ConfigError, createAuth } from '../../src/index.js'
import { authFor, issuerForTest } from '../setup.js'
import { AUDIENCE, useTarget, verdictFor } from './support.js'

// Identity tricks against allowlists: UTS #39 (confusables), UTS #46 / RFC 5891 (IDNA), RFC 5321 §2.4 and
// §4.1.2 (mailbox syntax), OIDC Core §5.1 / §5.7 (email_verified; only sub+iss is a stable identifier),
// the 2023 "nOAuth" Entra advisory (mutable email claim), the 2019 GitHub password-reset bug (Unicode case
// mapping collisions), OWASP ReDoS.

const target = useTarget(
  { algs: ['ES256'] },
  {},
  { allow: { allowedDomains: ['corp.com'], allowedUsers: ['kim@partner.test'] } },
)

async function as(email: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { issuer, auth } = target()
  return verdictFor(auth, await issuer.sign({ email, email_verified: true, ...extra }))
}

describe('domain allowlist (allowedDomains: corp.com)', () => {
  it.each([
    ['a suffix attack', 'eve@corp.com.evil.test'],
    ['a prefix attack', 'eve@evil-corp.com'],
    ['a bare-suffix attack', 'eve@notcorp.com'],
    ['a second @', 'eve@evil.test@corp.com'],
    ['the allowed domain in the local part', 'corp.com@evil.test'],
    ['a Cyrillic с homoglyph (UTS #39)', 'eve@\u0441orp.com'],
    ['a full-width @ (U+FF20)', 'eve\uff20corp.com'],
    ['a percent-encoded slash', 'eve@corp.com%2f.evil.test'],
    ['a path after the domain', 'eve@corp.com/evil.test'],
    ['a NUL before a suffix', 'eve@corp.com\u0000.evil.test'],
    ['a port', 'eve@corp.com:443'],
    ['an address literal', 'eve@[127.0.0.1]'],
    ['a subdomain without allowSubdomains', 'eve@mail.corp.com'],
    ['a trailing newline', 'eve@corp.com\n'],
  ])('denies %s', async (_name, email) => {
    expect(await as(email)).toBe('access_denied')
  })

  it('denies an address the issuer says is unverified (OIDC Core §5.1 email_verified: false)', async () => {
    expect(await as('eve@corp.com', { email_verified: false })).toBe('access_denied')
  })

  it('accepts case and one trailing dot as the same DNS name (RFC 4343, RFC 1034 §3.1) — a positive control', async () => {
    expect(await as('ada@CORP.COM.')).toBe('ok')
  })
})

describe('user allowlist (allowedUsers: kim@partner.test)', () => {
  it('matches ASCII case-insensitively (positive control)', async () => {
    expect(await as('KIM@partner.test')).toBe('ok')
  })

  it('denies a Kelvin sign K (U+212A), which String#toLowerCase folds to k (Unicode case-mapping collision)', async () => {
    expect(await as('\u212aim@partner.test')).toBe('access_denied')
  })

  it('denies a dotless ı (U+0131) look-alike of i', async () => {
    expect(await as('k\u0131m@partner.test')).toBe('access_denied')
  })

  it('denies a zero-width joiner inside the local part', async () => {
    expect(await as('ki\u200dm@partner.test')).toBe('access_denied')
  })
})

describe('which claim is the identity — OIDC Core §5.7, nOAuth', () => {
  it('does not let an Entra user’s self-editable email satisfy a domain rule', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(
      issuer,
      { preset: 'entra', tenantId: 'tenant-1' },
      { rateLimit: { enabled: false }, allow: { allowedDomains: ['corp.com'] } },
    )
    const token = await issuer.sign(
      { tid: 'tenant-1', email: 'ceo@corp.com', preferred_username: 'eve@evil.test' },
      { alg: 'RS256' },
    )
    expect(await verdictFor(auth, token)).toBe('access_denied')
  })

  it('does not let a Google account’s unverified email satisfy a domain rule', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(
      issuer,
      { preset: 'google' },
      { rateLimit: { enabled: false }, allow: { allowedDomains: ['corp.com'], requireVerifiedEmail: false } },
    )
    const token = await issuer.sign({ email: 'ceo@corp.com', email_verified: false }, { alg: 'RS256' })
    expect(await verdictFor(auth, token)).toBe('access_denied')
  })

  it('does not let an Entra token of another tenant in (tid must be the configured tenant)', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(issuer, { preset: 'entra', tenantId: 'tenant-1' }, { rateLimit: { enabled: false } })
    expect(await verdictFor(auth, await issuer.sign({ tid: 'tenant-2' }, { alg: 'RS256' }))).toBe(
      'token_claims_invalid',
    )
  })
})

describe('patterns — OWASP ReDoS, whole-string matching', () => {
  it('refuses a catastrophically backtracking allowedUserRegex at start-up', () => {
    expect(() =>
      createAuth({
        audience: AUDIENCE,
        issuers: [{ issuer: 'https://issuer.test' }],
        allow: { allowedUserRegex: '^(a+)+@corp\\.com$' },
      }),
    ).toThrow(ConfigError)
  })

  it('matches a pattern against the whole id, so a suffix after it does not pass', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(
      issuer,
      {},
      { rateLimit: { enabled: false }, allow: { allowedUserRegex: '[a-z]+@corp\\.com' } },
    )
    const sign = (email: string) => issuer.sign({ email, email_verified: true })
    expect(await verdictFor(auth, await sign('ada@corp.com'))).toBe('ok')
    expect(await verdictFor(auth, await sign('ada@corp.com.evil.test'))).toBe('access_denied')
    expect(await verdictFor(auth, await sign('x@evil.test#ada@corp.com'))).toBe('access_denied')
  })
})
