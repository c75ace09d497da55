import { describe, expect, it } from 'vitest'
import type { AuthError, AuthInput } from '../src/index.js'
import { authFor, issuerForTest, outcome } from './setup.js'

describe('requireHttps', () => {
  const over = (
    token: string,
    extra: Partial<AuthInput>,
    headers: Record<string, string> = {},
  ): AuthInput => ({
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...extra,
  })

  it('refuses a bearer token that arrived over plain HTTP with 400 invalid_request', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { requireHttps: true })
    const token = await issuer.sign()
    const error = (await auth
      .authenticate(over(token, { protocol: 'http', ip: '203.0.113.9' }))
      .catch((e) => e)) as AuthError
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, message: 'HTTPS is required.' })
    expect(error.wwwAuthenticate).toContain('error="invalid_request"')
    expect(await outcome(auth.authenticate(over(token, { protocol: 'https', ip: '203.0.113.9' })))).toBe('ok')
    // No credentials: nothing to protect, the usual 401.
    expect(await outcome(auth.authenticate({ headers: {}, protocol: 'http', ip: '203.0.113.9' }))).toBe(
      'credentials_missing',
    )
  })

  it('believes X-Forwarded-Proto only from trusted proxies', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { requireHttps: true, trustedProxies: ['10.0.0.0/8'] })
    const token = await issuer.sign()
    const viaProxy = (proto: string, ip: string) =>
      over(token, { protocol: 'http', ip }, { 'x-forwarded-proto': proto })
    expect(await outcome(auth.authenticate(viaProxy('https', '10.1.2.3')))).toBe('ok')
    expect(await outcome(auth.authenticate(viaProxy('http', '10.1.2.3')))).toBe('invalid_request')
    // An untrusted peer cannot claim HTTPS.
    expect(await outcome(auth.authenticate(viaProxy('https', '203.0.113.9')))).toBe('invalid_request')
  })

  it('lets a direct loopback client through, but not a proxied request over loopback', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { requireHttps: true })
    const token = await issuer.sign()
    expect(await outcome(auth.authenticate(over(token, { protocol: 'http', ip: '127.0.0.1' })))).toBe('ok')
    expect(await outcome(auth.authenticate(over(token, { protocol: 'http', ip: '::1' })))).toBe('ok')
    expect(
      await outcome(
        auth.authenticate(
          over(token, { protocol: 'http', ip: '127.0.0.1' }, { 'x-forwarded-for': '198.51.100.7' }),
        ),
      ),
    ).toBe('invalid_request')
  })

  it('is off under NODE_ENV=test unless configured', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    expect(
      await outcome(auth.authenticate(over(await issuer.sign(), { protocol: 'http', ip: '203.0.113.9' }))),
    ).toBe('ok')
  })
})
