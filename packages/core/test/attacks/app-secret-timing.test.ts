import * as crypto from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { createAuth, hashProjectSecret } from '../../src/index.js'
import { AUDIENCE, verdict } from './support.js'

// CWE-208 (observable timing discrepancy), OWASP ASVS V2.9.x / V6.2: the app secret is compared in constant
// time. Timing is not measured here (it would be flaky); the behaviour that makes it constant is: the
// presented secret is HMAC'd first, so whatever its length, node:crypto.timingSafeEqual compares two
// 64-character hex HMACs, and no other comparison decides.

// Observe (not replace) timingSafeEqual as the source modules see it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) }
})

const SIGNING_SECRET = 'a-signing-secret-for-timing-tests-only'
const SECRET = 'the-right-app-secret-of-forty-characters'

function auth() {
  return createAuth({
    audience: AUDIENCE,
    issuers: [],
    rateLimit: { enabled: false },
    service: { id: 'svc-orders' },
    projects: {
      signingSecret: SIGNING_SECRET,
      resolvers: ['static'],
      static: [
        {
          appId: 'app-1',
          secretHash: hashProjectSecret(SECRET, SIGNING_SECRET),
          projectUuid: 'project-1',
          enabledServices: ['svc-orders'],
        },
      ],
    },
  })
}

describe('app secret comparison — CWE-208', () => {
  it.each([
    ['an equal-length wrong secret', SECRET.replace('right', 'wrong')],
    ['a one-character wrong secret', 'x'],
    ['a 1,024-character wrong secret', 'y'.repeat(1024)],
    ['the right secret', SECRET],
  ])('compares %s with timingSafeEqual over two equal-length HMACs', async (_name, secret) => {
    const compare = vi.mocked(crypto.timingSafeEqual)
    const instance = auth()
    try {
      compare.mockClear()
      const result = await verdict(
        instance,
        { headers: { 'x-app-id': 'app-1', 'x-app-secret': secret } },
        { mode: 'project' },
      )
      expect(result).toBe(secret === SECRET ? 'ok' : 'project_credentials_invalid')
      expect(compare).toHaveBeenCalledTimes(1)
      const [a, b] = compare.mock.calls[0] as [Buffer, Buffer]
      // Hex HMAC-SHA256 on both sides: the length compared never depends on what the client sent.
      expect(a.length).toBe(64)
      expect(b.length).toBe(64)
    } finally {
      await instance.close()
    }
  })
})
