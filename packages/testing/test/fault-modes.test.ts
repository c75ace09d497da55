import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../src/index.js'

describe('fault modes', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await startTestIssuer({ algs: ['ES256'] })
    issuer.slowMs = 200
  })
  afterAll(() => issuer.close())
  afterEach(() => {
    issuer.setMode('ok')
    issuer.resetCounts()
  })

  it('down: closes the connection without a response, so fetch rejects', async () => {
    issuer.setMode('down')
    await expect(fetch(issuer.jwksUri)).rejects.toThrow()
    await expect(fetch(issuer.discoveryUrl)).rejects.toThrow()
    expect(issuer.counts).toEqual({ jwks: 1, discovery: 1 })
  })

  it('malformed: answers 200 with a body that is not JSON', async () => {
    issuer.setMode('malformed')
    const response = await fetch(issuer.jwksUri)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = await response.text()
    expect(() => JSON.parse(body)).toThrow(SyntaxError)
    expect(issuer.counts.jwks).toBe(1)
  })

  it('error500: answers HTTP 500', async () => {
    issuer.setMode('error500')
    const response = await fetch(issuer.discoveryUrl)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'server_error' })
    expect(issuer.counts.discovery).toBe(1)
  })

  it('slow: answers normally after slowMs', async () => {
    issuer.setMode('slow')
    const started = performance.now()
    const response = await fetch(issuer.jwksUri)
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { keys: unknown[] }).keys).toHaveLength(1)
    expect(issuer.counts.jwks).toBe(1)
  })

  it('slow: a client timeout shorter than slowMs aborts the request', async () => {
    issuer.setMode('slow')
    await expect(fetch(issuer.jwksUri, { signal: AbortSignal.timeout(50) })).rejects.toThrow(/abort|timeout/i)
  })

  it('ok: recovers after a fault', async () => {
    issuer.setMode('down')
    await expect(fetch(issuer.jwksUri)).rejects.toThrow()
    issuer.setMode('ok')
    expect((await fetch(issuer.jwksUri)).status).toBe(200)
  })
})
