import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { startTestIssuer } from '../src/index.js'

describe('close', () => {
  it('resolves promptly while a keep-alive connection is open', async () => {
    const issuer = await startTestIssuer({ algs: ['ES256'] })
    // fetch keeps the connection alive after the response, so one idle socket is still open here.
    expect((await (await fetch(issuer.jwksUri)).json()) as object).toHaveProperty('keys')
    const started = performance.now()
    await issuer.close()
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('resolves promptly while a slow response is pending, and the client sees the connection drop', async () => {
    const issuer = await startTestIssuer({ algs: ['ES256'] })
    issuer.setMode('slow')
    issuer.slowMs = 10_000
    const pending = new Promise<void>((resolve, reject) => {
      request(issuer.jwksUri, () => resolve())
        .on('error', reject)
        .end()
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    await issuer.close()
    expect(performance.now() - started).toBeLessThan(500)
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/)
  })

  it('stops accepting connections and can be called twice', async () => {
    const issuer = await startTestIssuer({ algs: ['ES256'] })
    await issuer.close()
    await issuer.close()
    await expect(fetch(issuer.jwksUri)).rejects.toThrow()
  })
})
