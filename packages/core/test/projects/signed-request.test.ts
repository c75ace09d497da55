import { describe, expect, it } from 'vitest'
import { projectsConfigSchema } from '../../src/projects/config.js'
import {
  createSignedRequestVerifier,
  type SignedRequestOptions,
  signRequest,
  verifySignedRequest,
} from '../../src/projects/signed-request.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { codeOf, RecordingStore, rejectionOf, SIGNING_SECRET } from '../mercury/helpers.js'

const WAZOBIA: SignedRequestOptions = { signingSecret: SIGNING_SECRET, mode: 'wazobia' }

function signed(
  method: string,
  url: string,
  options: { mode?: 'wazobia' | 'strict'; body?: string; at?: number } = {},
) {
  const headers = signRequest(
    { method, url, ...(options.body !== undefined && { body: options.body }) },
    {
      signingSecret: SIGNING_SECRET,
      mode: options.mode ?? 'wazobia',
      ...(options.at !== undefined && { timestampSec: options.at }),
    },
  )
  return { method, url, headers, ...(options.body !== undefined && { body: options.body }) }
}

const flipLast = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0')
const now = () => Math.floor(Date.now() / 1000)

describe('signed requests, Wazobia-compatible', () => {
  it('accepts a request signed over METHOD + path + ?query + timestamp', async () => {
    await expect(verifySignedRequest(signed('GET', '/orders'), WAZOBIA)).resolves.toBeUndefined()
    await expect(
      verifySignedRequest(signed('post', '/orders?page=2&sort=asc'), WAZOBIA),
    ).resolves.toBeUndefined()
  })

  it('computes the signature Wazobia clients send (known answers)', () => {
    const { 'x-signature': signature } = signRequest(
      { method: 'GET', url: '/v1/items?limit=5' },
      { signingSecret: 'secret', mode: 'wazobia', timestampSec: 1712345678 },
    )
    // Lowercase hex HMAC-SHA256('secret', 'GET/v1/items?limit=5' + '1712345678')
    expect(signature).toBe('cf899ced2a0d9f8031b3b3025bb43b5dd00640e709a39cc5c09d4fea8265b99a')
    const strict = signRequest(
      { method: 'POST', url: '/pay', body: '{}' },
      { signingSecret: 'secret', mode: 'strict', timestampSec: 1712345678 },
    )
    // ... + the hex SHA-256 of the body
    expect(strict['x-signature']).toBe('9f9ced73d9dcc6eb732de87551f5534274e0520eb40886125d7b161a4e6bd1b1')
  })

  it('refuses an expired or future timestamp outside the window', async () => {
    const old = await rejectionOf(verifySignedRequest(signed('GET', '/orders', { at: now() - 301 }), WAZOBIA))
    expect(old.code).toBe('request_signature_invalid')
    expect(old.status).toBe(401)
    expect(await codeOf(verifySignedRequest(signed('GET', '/orders', { at: now() + 400 }), WAZOBIA))).toBe(
      'request_signature_invalid',
    )
    await expect(
      verifySignedRequest(signed('GET', '/orders', { at: now() - 200 }), WAZOBIA),
    ).resolves.toBeUndefined()
  })

  it('refuses a tampered method, path, query or timestamp', async () => {
    const good = signed('GET', '/orders?page=2')
    for (const tampered of [
      { ...good, method: 'DELETE' },
      { ...good, url: '/orders/1?page=2' },
      { ...good, url: '/orders?page=3' },
      { ...good, url: '/orders' },
      {
        ...good,
        headers: { ...good.headers, 'x-timestamp': String(Number(good.headers['x-timestamp']) - 1) },
      },
      { ...good, headers: { ...good.headers, 'x-signature': flipLast(good.headers['x-signature']) } },
    ]) {
      expect(await codeOf(verifySignedRequest(tampered, WAZOBIA))).toBe('request_signature_invalid')
    }
  })

  it('refuses unsigned requests and malformed signature headers without throwing', async () => {
    expect(await codeOf(verifySignedRequest({ method: 'GET', url: '/x', headers: {} }, WAZOBIA))).toBe(
      'request_signature_invalid',
    )
    for (const headers of [
      { 'x-timestamp': 'yesterday', 'x-signature': 'a'.repeat(64) },
      { 'x-timestamp': String(now()), 'x-signature': 'short' },
      { 'x-timestamp': String(now()), 'x-signature': 'z'.repeat(64) },
      { 'x-timestamp': String(now()), 'x-signature': 'a'.repeat(65) },
    ]) {
      expect(await codeOf(verifySignedRequest({ method: 'GET', url: '/x', headers }, WAZOBIA))).toBe(
        'request_signature_invalid',
      )
    }
  })

  it('refuses a signature made with another secret', async () => {
    const headers = signRequest(
      { method: 'GET', url: '/x' },
      { signingSecret: 'another-secret', mode: 'wazobia' },
    )
    expect(await codeOf(verifySignedRequest({ method: 'GET', url: '/x', headers }, WAZOBIA))).toBe(
      'request_signature_invalid',
    )
  })

  it('lets exempt paths through unsigned, exact or by prefix, but never via dot segments', async () => {
    const verify = createSignedRequestVerifier({ ...WAZOBIA, exemptPaths: ['/health', '/public/*'] })
    await expect(verify({ method: 'GET', url: '/health', headers: {} })).resolves.toBeUndefined()
    await expect(verify({ method: 'GET', url: '/health?verbose=1', headers: {} })).resolves.toBeUndefined()
    await expect(verify({ method: 'GET', url: '/public/logo.png', headers: {} })).resolves.toBeUndefined()
    for (const url of ['/healthz', '/public', '/public/../admin', '/public/%2e%2e/admin', '/admin']) {
      expect(await codeOf(verify({ method: 'GET', url, headers: {} }))).toBe('request_signature_invalid')
    }
  })

  it('accepts two identical requests in the same second (no replay memory by default)', async () => {
    const request = signed('GET', '/orders')
    await verifySignedRequest(request, WAZOBIA)
    await expect(verifySignedRequest(request, WAZOBIA)).resolves.toBeUndefined()
  })

  it('takes absolute URLs as their path and query', async () => {
    const request = signed('GET', '/orders?x=1')
    await expect(
      verifySignedRequest({ ...request, url: 'https://api.example.com/orders?x=1' }, WAZOBIA),
    ).resolves.toBeUndefined()
  })
})

describe('signed requests, strict mode', () => {
  const strict = (store = new MemoryStore()): SignedRequestOptions => ({
    signingSecret: SIGNING_SECRET,
    mode: 'strict',
    store,
  })

  it('accepts a request whose signature also covers the body hash', async () => {
    const body = JSON.stringify({ amount: 100 })
    await expect(
      verifySignedRequest(signed('POST', '/pay', { mode: 'strict', body }), strict()),
    ).resolves.toBeUndefined()
  })

  it('refuses a tampered body, and a Wazobia signature without the body hash', async () => {
    const request = signed('POST', '/pay', { mode: 'strict', body: '{"amount":100}' })
    expect(await codeOf(verifySignedRequest({ ...request, body: '{"amount":900}' }, strict()))).toBe(
      'request_signature_invalid',
    )
    const legacy = signed('POST', '/pay', { body: '{"amount":100}' })
    expect(await codeOf(verifySignedRequest(legacy, strict()))).toBe('request_signature_invalid')
  })

  it('refuses a replayed request', async () => {
    const options = strict()
    const request = signed('POST', '/pay', { mode: 'strict', body: '{}' })
    await verifySignedRequest(request, options)
    const replay = await rejectionOf(verifySignedRequest(request, options))
    expect(replay.code).toBe('request_signature_invalid')
    expect(replay.status).toBe(401)
  })

  it('fails closed (503) when the replay memory cannot be written', async () => {
    const store = new RecordingStore()
    store.failing = true
    const request = signed('POST', '/pay', { mode: 'strict', body: '{}' })
    expect(await codeOf(verifySignedRequest(request, strict(store as never)))).toBe('auth_unavailable')
  })

  it('needs a store for replay protection, found at construction', () => {
    expect(() => createSignedRequestVerifier({ signingSecret: SIGNING_SECRET, mode: 'strict' })).toThrow(
      /SharedStore/,
    )
  })

  it('is configured by projects.signedRequests, off by default', () => {
    const config = projectsConfigSchema.parse({})
    expect(config.signedRequests).toEqual({
      mode: 'off',
      windowSec: 300,
      exemptPaths: [],
      timestampHeader: 'x-timestamp',
      signatureHeader: 'x-signature',
    })
  })
})
