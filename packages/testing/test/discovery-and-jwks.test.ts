import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../src/index.js'

describe('discovery and JWKS endpoints', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await startTestIssuer()
  })
  afterAll(() => issuer.close())
  beforeEach(() => {
    issuer.setDiscovery({})
    issuer.resetCounts()
  })

  it('identifies itself as http://127.0.0.1:PORT with no trailing slash by default', () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(issuer.origin).toBe(issuer.url)
    expect(issuer.jwksUri).toBe(`${issuer.url}/.well-known/jwks.json`)
    expect(issuer.discoveryUrl).toBe(`${issuer.url}/.well-known/openid-configuration`)
  })

  it('serves an OpenID discovery document pointing at its JWKS', async () => {
    const response = await fetch(issuer.discoveryUrl)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('max-age=60')
    expect(await response.json()).toEqual({
      issuer: issuer.url,
      jwks_uri: issuer.jwksUri,
      authorization_endpoint: `${issuer.url}/authorize`,
      token_endpoint: `${issuer.url}/token`,
      id_token_signing_alg_values_supported: ['RS512', 'RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
    })
  })

  it('publishes one public signing JWK per default alg, with kid, alg and use', async () => {
    const response = await fetch(issuer.jwksUri)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('max-age=60')
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(keys.map((jwk) => jwk.alg)).toEqual([
      'RS512',
      'RS256',
      'RS384',
      'PS256',
      'ES256',
      'ES384',
      'EdDSA',
    ])
    expect(keys.map((jwk) => jwk.kid)).toEqual(issuer.keys.map((key) => key.kid))
    for (const jwk of keys) {
      expect(jwk.use).toBe('sig')
      expect(jwk).not.toHaveProperty('d')
    }
  })

  it('serves the same JWKS at the /jwks alias', async () => {
    const canonical = await (await fetch(issuer.jwksUri)).json()
    const alias = await (await fetch(`${issuer.url}/jwks`)).json()
    expect(alias).toEqual(canonical)
  })

  it('counts every request to each endpoint, the alias included', async () => {
    await fetch(issuer.discoveryUrl).then((response) => response.text())
    await fetch(issuer.jwksUri).then((response) => response.text())
    await fetch(`${issuer.url}/jwks`).then((response) => response.text())
    await fetch(`${issuer.jwksUri}?cache-bust=1`).then((response) => response.text())
    expect(issuer.counts).toEqual({ jwks: 3, discovery: 1 })
    issuer.resetCounts()
    expect(issuer.counts).toEqual({ jwks: 0, discovery: 0 })
  })

  it('answers 404 to other paths without counting them', async () => {
    const response = await fetch(`${issuer.url}/token`)
    expect(response.status).toBe(404)
    expect(issuer.counts).toEqual({ jwks: 0, discovery: 0 })
  })

  it('applies discovery overrides, removing members set to undefined', async () => {
    issuer.setDiscovery({ jwks_uri: 'http://127.0.0.1:1/elsewhere', token_endpoint: undefined })
    const document = (await (await fetch(issuer.discoveryUrl)).json()) as Record<string, unknown>
    expect(document.jwks_uri).toBe('http://127.0.0.1:1/elsewhere')
    expect(document).not.toHaveProperty('token_endpoint')
    expect(document.issuer).toBe(issuer.url)
  })
})

describe('an issuer with a path', () => {
  it('serves its endpoints under the path', async () => {
    const issuer = await startTestIssuer({ issuerPath: '/tenants/acme', algs: ['ES256'] })
    try {
      expect(issuer.url).toBe(`${issuer.origin}/tenants/acme`)
      const document = (await (await fetch(issuer.discoveryUrl)).json()) as Record<string, unknown>
      expect(document.issuer).toBe(issuer.url)
      const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: unknown[] }
      expect(jwks.keys).toHaveLength(1)
      expect((await fetch(`${issuer.origin}/.well-known/jwks.json`)).status).toBe(404)
    } finally {
      await issuer.close()
    }
  })

  it('keeps a trailing slash in the issuer but not in endpoint URLs', async () => {
    const issuer = await startTestIssuer({ issuerPath: '/tenant/', algs: ['ES256'] })
    try {
      expect(issuer.url).toBe(`${issuer.origin}/tenant/`)
      expect(issuer.jwksUri).toBe(`${issuer.origin}/tenant/.well-known/jwks.json`)
      const document = (await (await fetch(issuer.discoveryUrl)).json()) as Record<string, unknown>
      expect(document.issuer).toBe(`${issuer.origin}/tenant/`)
      expect((await fetch(issuer.jwksUri)).status).toBe(200)
    } finally {
      await issuer.close()
    }
  })
})
