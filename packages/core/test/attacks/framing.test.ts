import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GuardedServer, rawRequest, startGuardedServer } from '../fuzz/express-app.js'
import { segments, useTarget, verdict, verdictFor } from './support.js'

// Framing attacks: RFC 6750 §2.1 (b64token syntax, one credential), §2.3 and §5.3 (no tokens in URLs),
// RFC 7235 §2.1 / RFC 9110 §11 (auth-scheme is case-insensitive; 1*SP), RFC 9110 §5.3 (a non-list field
// must not be repeated), RFC 7515 §2 / §7.1 (base64url without padding, exactly three parts),
// OWASP JWT cheat sheet (token sidejacking), header and token size bombs (CWE-400).

const target = useTarget({ algs: ['ES256'] })
let server: GuardedServer
beforeAll(async () => {
  server = await startGuardedServer(target().auth)
})
afterAll(async () => {
  await server.close()
})

const auth = (value: string) => verdict(target().auth, { headers: { authorization: value } })

describe('size and shape bombs — CWE-400', () => {
  it('refuses a 1 MB Authorization header before scanning it', async () => {
    const started = performance.now()
    expect(await auth(`Bearer ${'a'.repeat(1 << 20)}`)).toBe('token_too_large')
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('answers a 64 KB header over HTTP with a 4xx from the server, never a 5xx', async () => {
    const response = await rawRequest(server.port, '/me', [['authorization', `Bearer ${'a'.repeat(65_536)}`]])
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
  })

  it('refuses a token made of thousands of dots quickly', async () => {
    const started = performance.now()
    expect(await auth(`Bearer ${'a.'.repeat(4000)}a`)).toBe('token_unsupported')
    expect(await auth(`Bearer ${'.'.repeat(8000)}`)).toMatch(/^token_(unsupported|malformed)$/)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('refuses a token one byte over maxTokenBytes (the limit is exact)', async () => {
    const { issuer } = target()
    const token = await issuer.sign({ pad: '' })
    const padded = await issuer.sign({ pad: 'x'.repeat(8192) })
    expect(await verdictFor(target().auth, token)).toBe('ok')
    expect(await verdictFor(target().auth, padded)).toBe('token_too_large')
  })
})

describe('part counts and base64url — RFC 7515 §2, §7.1', () => {
  it('refuses a four-part token', async () => {
    const { issuer } = target()
    expect(await verdictFor(target().auth, `${await issuer.sign()}.AAAA`)).toBe('token_unsupported')
  })

  it('refuses a two-part token', async () => {
    const [h, p] = segments(await target().issuer.sign())
    expect(await verdictFor(target().auth, `${h}.${p}`)).toBe('token_malformed')
  })

  it('refuses padded segments (base64url in JWS carries no "=")', async () => {
    const [h, p, s] = segments(await target().issuer.sign())
    const pad = (x: string) => x + '='.repeat((4 - (x.length % 4)) % 4 || 2)
    expect(await verdictFor(target().auth, `${h}.${p}.${pad(s)}`)).toBe('token_malformed')
  })

  it('refuses the standard base64 alphabet (+ and /) in a segment', async () => {
    const [h, p, s] = segments(await target().issuer.sign())
    const std = Buffer.from(s, 'base64url').toString('base64').replace(/=+$/, '')
    const withStd = std.includes('+') || std.includes('/') ? std : `${std.slice(0, -1)}+`
    expect(await verdictFor(target().auth, `${h}.${p}.${withStd}`)).toBe('token_malformed')
  })

  it('refuses a segment of length 4n+1, which no byte string encodes to', async () => {
    const [h, p, s] = segments(await target().issuer.sign())
    const extra = s.length % 4 === 0 ? `${s}A` : `${s}${'A'.repeat((5 - (s.length % 4)) % 4)}`
    expect(extra.length % 4).toBe(1)
    expect(await verdictFor(target().auth, `${h}.${p}.${extra}`)).toBe('token_malformed')
  })

  it('refuses an empty header segment', async () => {
    const [, p, s] = segments(await target().issuer.sign())
    expect(await verdictFor(target().auth, `.${p}.${s}`)).toBe('token_malformed')
  })
})

describe('Authorization syntax — RFC 6750 §2.1, RFC 9110 §11', () => {
  it('refuses whitespace inside the credentials', async () => {
    const token = await target().issuer.sign()
    expect(await auth(`Bearer ${token.slice(0, 20)} ${token.slice(20)}`)).toBe('invalid_request')
  })

  it('does not treat a tab as the scheme separator (1*SP)', async () => {
    expect(await auth(`Bearer\t${await target().issuer.sign()}`)).toBe('credentials_missing')
  })

  it('refuses a CR/LF smuggled after the token', async () => {
    expect(await auth(`Bearer ${await target().issuer.sign()}\r\nX-Admin: 1`)).toBe('invalid_request')
  })

  it('refuses two comma-joined Bearer credentials in one header', async () => {
    const token = await target().issuer.sign()
    expect(await auth(`Bearer ${token}, Bearer ${token}`)).toBe('invalid_request')
  })

  it('refuses non-ASCII characters in the token', async () => {
    const token = await target().issuer.sign()
    expect(await auth(`Bearer ${token.slice(0, -1)}\u00e9`)).toBe('invalid_request')
  })

  it('refuses "Bearer" with no token', async () => {
    expect(await auth('Bearer')).toBe('invalid_request')
    expect(await auth('Bearer    ')).toBe('invalid_request')
  })

  it('does not accept a JWT under another scheme (Basic, Token, JWT)', async () => {
    const token = await target().issuer.sign()
    for (const scheme of ['Basic', 'Token', 'JWT', 'Bearer-']) {
      expect(await auth(`${scheme} ${token}`)).toBe('credentials_missing')
    }
  })

  it('accepts the scheme in any case and surrounding spaces (RFC 7235 §2.1) — positive control', async () => {
    const token = await target().issuer.sign()
    expect(await auth(`bearer ${token}`)).toBe('ok')
    expect(await auth(`BEARER   ${token}  `)).toBe('ok')
  })
})

describe('one credential per request — RFC 6750 §2, RFC 9110 §5.3', () => {
  it('refuses two Authorization values given as a header array', async () => {
    const token = await target().issuer.sign()
    expect(
      await verdict(target().auth, { headers: { authorization: [`Bearer ${token}`, 'Bearer other'] } }),
    ).toBe('invalid_request')
  })

  it('refuses two Authorization values in a Fetch Headers bag', async () => {
    const token = await target().issuer.sign()
    const headers = new Headers()
    headers.append('authorization', `Bearer ${token}`)
    headers.append('authorization', 'Bearer other')
    expect(await verdict(target().auth, { headers })).toBe('invalid_request')
  })

  it('refuses two Authorization headers over HTTP through the Express adapter (no first-wins)', async () => {
    const token = await target().issuer.sign()
    const response = await rawRequest(server.port, '/me', [
      ['authorization', `Bearer ${token}`],
      ['authorization', 'Bearer attacker-chosen'],
    ])
    // Node keeps only the first Authorization header; a proxy that reads the last one would disagree.
    expect(response.status).toBe(400)
  })
})

describe('tokens outside the Authorization header — RFC 6750 §2.3, §5.3, OWASP', () => {
  it('ignores an access_token query parameter (URLs leak into logs and Referer)', async () => {
    const token = await target().issuer.sign()
    const response = await rawRequest(server.port, `/me?access_token=${token}`, [])
    expect(response.status).toBe(401)
  })

  it('ignores a token in a cookie', async () => {
    const token = await target().issuer.sign()
    const response = await rawRequest(server.port, '/me', [
      ['cookie', `access_token=${token}; token=${token}`],
    ])
    expect(response.status).toBe(401)
  })

  it('serves the genuine token over HTTP — positive control for the cases above', async () => {
    const token = await target().issuer.sign()
    expect((await rawRequest(server.port, '/me', [['authorization', `Bearer ${token}`]])).status).toBe(200)
  })
})
