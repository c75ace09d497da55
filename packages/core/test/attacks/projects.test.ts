import { describe, expect, it } from 'vitest'
import { type Auth, type AuthInput, createAuth, hashProjectSecret, signRequest } from '../../src/index.js'
import { AUDIENCE, verdict } from './support.js'

// Service-to-service credentials: CWE-208 / OWASP ASVS V2.9 (constant-time secret comparison, secrets only as
// keyed hashes), OWASP ASVS V2.2.1 (anti-automation), CWE-294 (capture-replay), CWE-532 (secrets in logs),
// RFC 3986 §5.2.4 (dot segments), and Wazobia's X-Timestamp/X-Signature HMAC scheme.

const SIGNING_SECRET = 'a-signing-secret-for-attack-tests-only'
const SECRET = 'app-secret-0123456789abcdef0123456789abcdef'

function projectAuth(extra: Record<string, unknown> = {}, log?: string[], lookups?: string[]): Auth {
  return createAuth(
    {
      audience: AUDIENCE,
      issuers: [],
      rateLimit: { enabled: false },
      service: { id: 'svc-orders' },
      projects: {
        signingSecret: SIGNING_SECRET,
        resolvers: lookups ? ['function'] : ['static'],
        static: [
          {
            appId: 'app-1',
            secretHash: hashProjectSecret(SECRET, SIGNING_SECRET),
            projectUuid: 'project-1',
            enabledServices: ['svc-orders'],
          },
        ],
        ...extra,
      },
    },
    {
      ...(log && {
        logger: {
          debug: (o: object, m?: string) => void log.push(JSON.stringify(o) + (m ?? '')),
          info: (o: object, m?: string) => void log.push(JSON.stringify(o) + (m ?? '')),
          warn: (o: object, m?: string) => void log.push(JSON.stringify(o) + (m ?? '')),
          error: (o: object, m?: string) => void log.push(JSON.stringify(o) + (m ?? '')),
        },
      }),
      ...(lookups && {
        resolveProject: (credentials) => {
          lookups.push(credentials.appId)
          return undefined
        },
      }),
    },
  )
}

const app = (appId: string, secret: string): AuthInput => ({
  headers: { 'x-app-id': appId, 'x-app-secret': secret },
})

async function withAuth<T>(auth: Auth, run: (auth: Auth) => Promise<T>): Promise<T> {
  try {
    return await run(auth)
  } finally {
    await auth.close()
  }
}

describe('app secrets — CWE-208, OWASP ASVS V2.9', () => {
  it('accepts the right secret — positive control for the refusals below', async () => {
    await withAuth(projectAuth(), async (auth) => {
      expect(await verdict(auth, app('app-1', SECRET), { mode: 'project' })).toBe('ok')
    })
  })

  it.each([
    ['of the same length', SECRET.replace(/.$/, (c) => (c === 'f' ? 'e' : 'f'))],
    ['of one character', 'x'],
    ['of 1,024 characters', 'x'.repeat(1024)],
    ['that is a prefix of the right one', SECRET.slice(0, -1)],
    ['that extends the right one', `${SECRET}0`],
    ['that differs only in case', SECRET.toUpperCase()],
    ['with a trailing space', `${SECRET} `],
    ['that is the stored HMAC itself (pass-the-hash)', hashProjectSecret(SECRET, SIGNING_SECRET)],
  ])('refuses a wrong secret %s', async (_name, secret) => {
    await withAuth(projectAuth(), async (auth) => {
      expect(await verdict(auth, app('app-1', secret), { mode: 'project' })).toBe(
        'project_credentials_invalid',
      )
    })
  })

  it('refuses a secret over 1,024 characters before hashing it', async () => {
    await withAuth(projectAuth(), async (auth) => {
      expect(await verdict(auth, app('app-1', 'x'.repeat(100_000)), { mode: 'project' })).toBe(
        'project_credentials_invalid',
      )
    })
  })

  it.each([
    ['a glob', 'app-*'],
    ['a path', '../app-1'],
    ['a Redis key separator and space', 'app-1 project:app-2'],
    ['a CR/LF', 'app-1\r\nx-admin: 1'],
    ['a 129-character id', 'a'.repeat(129)],
  ])('refuses an app id with %s without asking any resolver', async (_name, appId) => {
    const lookups: string[] = []
    await withAuth(projectAuth({}, undefined, lookups), async (auth) => {
      expect(await verdict(auth, app(appId, SECRET), { mode: 'project' })).toBe('project_credentials_invalid')
    })
    expect(lookups).toEqual([])
  })

  it('refuses repeated app credential headers instead of picking one', async () => {
    await withAuth(projectAuth(), async (auth) => {
      const input = { headers: { 'x-app-id': 'app-1', 'x-app-secret': ['wrong', SECRET] } }
      expect(await verdict(auth, input, { mode: 'project' })).toBe('invalid_request')
    })
  })

  it('brakes a brute force on one app id with 429 before the 25th guess (OWASP ASVS V2.2.1)', async () => {
    await withAuth(projectAuth(), async (auth) => {
      const verdicts: string[] = []
      for (let i = 0; i < 25; i++)
        verdicts.push(await verdict(auth, app('app-1', `guess-${i}`), { mode: 'project' }))
      expect(verdicts).toContain('rate_limited')
      expect(verdicts.slice(0, 20).every((v) => v === 'project_credentials_invalid')).toBe(true)
    })
  })

  it('never writes the presented secret into a log line (CWE-532)', async () => {
    const log: string[] = []
    const wrong = 'never-log-this-secret-0123456789'
    await withAuth(projectAuth({}, log), async (auth) => {
      for (let i = 0; i < 3; i++) await verdict(auth, app('app-1', wrong), { mode: 'project' })
      await verdict(auth, app('app-1', SECRET), { mode: 'project' })
    })
    expect(log.join('\n')).not.toContain(wrong)
    expect(log.join('\n')).not.toContain(SECRET)
  })
})

describe('signed requests — CWE-294 capture-replay, Wazobia X-Timestamp / X-Signature', () => {
  const strict = { signedRequests: { mode: 'strict', exemptPaths: ['/public/*'] } }
  const signed = (method: string, url: string, body = '', timestampSec?: number): AuthInput => ({
    method,
    url,
    body,
    headers: {
      'x-app-id': 'app-1',
      'x-app-secret': SECRET,
      ...signRequest(
        { method, url, body },
        {
          signingSecret: SIGNING_SECRET,
          mode: 'strict',
          ...(timestampSec !== undefined && { timestampSec }),
        },
      ),
    },
  })
  const retarget = (input: AuthInput, change: Partial<AuthInput>): AuthInput => ({ ...input, ...change })

  it('accepts a freshly signed request once and refuses its replay', async () => {
    await withAuth(projectAuth(strict), async (auth) => {
      const request = signed('POST', '/orders?x=1', '{"qty":1}')
      expect(await verdict(auth, request, { mode: 'project' })).toBe('ok')
      // A replay arrives as a new request carrying the captured headers byte for byte.
      const replay = { ...request, headers: { ...(request.headers as Record<string, string>) } }
      expect(await verdict(auth, replay, { mode: 'project' })).toBe('request_signature_invalid')
    })
  })

  it('refuses a replay that upper-cases the hex signature (same MAC, other spelling)', async () => {
    await withAuth(projectAuth(strict), async (auth) => {
      const request = signed('POST', '/orders', '{}')
      expect(await verdict(auth, request, { mode: 'project' })).toBe('ok')
      const headers = request.headers as Record<string, string>
      const upper = {
        ...request,
        headers: { ...headers, 'x-signature': headers['x-signature']?.toUpperCase() },
      }
      expect(await verdict(auth, upper as AuthInput, { mode: 'project' })).toBe('request_signature_invalid')
    })
  })

  it.each([
    ['another path', { url: '/admin' }],
    ['another query', { url: '/orders?x=2' }],
    ['another method', { method: 'DELETE' }],
    ['another body (strict mode signs its hash)', { body: '{"qty":1000}' }],
  ])('refuses a captured signature reused for %s', async (_name, change) => {
    await withAuth(projectAuth(strict), async (auth) => {
      const request = signed('POST', '/orders?x=1', '{"qty":1}')
      expect(await verdict(auth, retarget(request, change), { mode: 'project' })).toBe(
        'request_signature_invalid',
      )
    })
  })

  it.each([
    ['301 s old', -301],
    ['301 s in the future', 301],
  ])('refuses a signature %s (outside the window)', async (_name, skew) => {
    await withAuth(projectAuth(strict), async (auth) => {
      const request = signed('GET', '/orders', '', Math.floor(Date.now() / 1000) + skew)
      expect(await verdict(auth, request, { mode: 'project' })).toBe('request_signature_invalid')
    })
  })

  it.each([
    ['a sign', (t: string) => `+${t}`],
    ['a decimal point', (t: string) => `${t}.0`],
    ['an exponent', (t: string) => `${t.slice(0, 1)}.${t.slice(1)}e9`],
    ['a hex literal', (t: string) => `0x${Number(t).toString(16)}`],
  ])('refuses an x-timestamp written with %s', async (_name, rewrite) => {
    await withAuth(projectAuth(strict), async (auth) => {
      const request = signed('GET', '/orders')
      const headers = request.headers as Record<string, string>
      const changed = { ...headers, 'x-timestamp': rewrite(headers['x-timestamp'] as string) }
      expect(await verdict(auth, { ...request, headers: changed }, { mode: 'project' })).toBe(
        'request_signature_invalid',
      )
    })
  })

  it.each([
    ['a plain dot segment', '/public/../orders'],
    ['a percent-encoded dot segment', '/public/%2e%2e/orders'],
    ['a mixed-case encoded dot segment', '/public/%2E./orders'],
  ])('requires a signature on an exempt prefix reached through %s (RFC 3986 §5.2.4)', async (_name, url) => {
    await withAuth(projectAuth(strict), async (auth) => {
      const unsigned = { method: 'GET', url, headers: { 'x-app-id': 'app-1', 'x-app-secret': SECRET } }
      expect(await verdict(auth, unsigned, { mode: 'project' })).toBe('request_signature_invalid')
    })
  })
})
