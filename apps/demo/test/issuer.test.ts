import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signLookup } from '../src/issuer/mercury-lookup.js'
import { hashPassword, verifyPassword } from '../src/issuer/password-hash.js'
import { UsersFile } from '../src/issuer/users.js'
import { closeServer, listen } from '../src/listen.js'
import {
  ADMIN_KEY,
  claimsOf,
  DATA_DIR,
  headerOf,
  type IssuerUnderTest,
  SERVICE_ID,
  SIGNING_SECRET,
  startIssuerUnderTest,
} from './support.js'

const ADA = { username: 'ada@demo.test', password: 'lovelace-demo' }
const API_KEY = 'pcd.reporting-bot.kx7Qm2vR9pL4tW8zN3cF6hJ1'

let it_: IssuerUnderTest
beforeAll(async () => {
  it_ = await startIssuerUnderTest()
})
afterAll(() => it_?.close())

const passwordToken = async (extra: Record<string, unknown> = {}) => {
  const answer = await it_.post('/token', { grant_type: 'password', ...ADA, ...extra })
  expect(answer.status).toBe(200)
  return answer.body as { access_token: string; refresh_token: string; scope: string; expires_in: number }
}

describe('passwords', () => {
  it('stores scrypt strings, never a plain digest, and verifies them', async () => {
    const stored = await hashPassword('correct horse')
    expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/)
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true)
    await expect(verifyPassword('correct hors', stored)).resolves.toBe(false)
    const usersFile = await readFile(join(DATA_DIR, 'users.yaml'), 'utf8')
    expect(usersFile.match(/password_hash: (\S+)/g)?.every((line) => line.includes('$scrypt$'))).toBe(true)
  })

  it('refuses a users file whose password is a SHA-256 digest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-users-'))
    const path = join(dir, 'users.yaml')
    const sha256 = 'a'.repeat(64)
    await writeFile(
      path,
      `users:\n  - { uuid: u1, email: x@demo.test, name: X, password_hash: ${sha256}, project_uuid: p }\n`,
    )
    await expect(UsersFile.load(path)).rejects.toThrow(/users\.0\.password_hash: must be a scrypt string/)
  })

  it('answers 401 invalid_grant for a wrong password and 429 once a username is guessed at too often', async () => {
    const wrong = { grant_type: 'password', username: 'mallory@demo.test', password: 'nope' }
    for (let attempt = 0; attempt < 5; attempt++) {
      const answer = await it_.post('/token', wrong)
      expect(answer.status).toBe(401)
      expect(answer.body.error).toBe('invalid_grant')
    }
    const blocked = await it_.post('/token', wrong)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('access tokens', () => {
  it('are RS512 Mercury-shape tokens with the scopes asked for', async () => {
    const tokens = await passwordToken({ scope: 'profile:read reports:read' })
    const header = headerOf(tokens.access_token)
    const claims = claimsOf(tokens.access_token)
    expect(header).toMatchObject({ alg: 'RS512', typ: 'JWT', kid: it_.keys.current.kid })
    expect(claims).toMatchObject({
      sub: { uuid: '5b0d9c1e-2f4a-4c8e-9a77-3d1e6f0b8a21', email: 'ada@demo.test', name: 'Ada Lovelace' },
      project_uuid: 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f',
      type: 'access',
      iss: it_.url,
      aud: 'portcullis-demo',
      scope: 'profile:read reports:read',
    })
    expect(claims.exp).toBe((claims.iat as number) + 900)
    expect(claims.nbf).toBe(claims.iat)
    expect(typeof claims.jti).toBe('string')
  })

  it('refuses scopes the user does not have', async () => {
    const answer = await it_.post('/token', {
      grant_type: 'password',
      username: 'grace@demo.test',
      password: 'hopper-demo',
      scope: 'secure:read',
    })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ error: 'invalid_scope' })
  })

  it('/decode verifies through @portcullis/core and shows the claims', async () => {
    const { access_token } = await passwordToken()
    const decoded = await it_.post('/decode', { token: access_token })
    expect(decoded.status).toBe(200)
    expect(decoded.body.user).toMatchObject({
      id: 'ada@demo.test',
      subject: '5b0d9c1e-2f4a-4c8e-9a77-3d1e6f0b8a21',
    })
    const forged = `${access_token.slice(0, -4)}AAAA`
    const refused = await it_.post('/decode', { token: forged })
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ active: false, code: 'token_signature_invalid' })
  })

  it('/revoke makes the shared Auth refuse the token at once', async () => {
    const { access_token } = await passwordToken()
    expect((await it_.post('/revoke', { token: access_token })).status).toBe(200)
    const after = await it_.post('/decode', { token: access_token })
    expect(after.status).toBe(401)
    expect(after.body.code).toBe('token_revoked')
  })

  it('revoking a subject or a project needs the admin key', async () => {
    const subject = await it_.post('/revoke', { sub: 'someone' })
    expect(subject.status).toBe(401)
    const allowed = await it_.post('/revoke', { sub: 'someone' }, { 'x-admin-key': ADMIN_KEY })
    expect(allowed.status).toBe(200)
  })
})

describe('refresh tokens', () => {
  it('rotate, and a reused one revokes its whole family, access tokens included', async () => {
    const first = await passwordToken()
    const second = await it_.post('/refresh', { refresh_token: first.refresh_token })
    expect(second.status).toBe(200)
    expect(second.body.refresh_token).not.toBe(first.refresh_token)
    const reuse = await it_.post('/refresh', { refresh_token: first.refresh_token })
    expect(reuse.status).toBe(400)
    expect(reuse.body.error_description).toMatch(/reuse detected.*2 access token/)
    for (const token of [first.access_token, second.body.access_token]) {
      expect((await it_.post('/decode', { token })).body.code).toBe('token_revoked')
    }
    expect((await it_.post('/refresh', { refresh_token: second.body.refresh_token })).status).toBe(400)
  })

  it('are also accepted as grant_type=refresh_token on /token', async () => {
    const first = await passwordToken()
    const next = await it_.post('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(next.status).toBe(200)
  })
})

describe('API keys and their claims', () => {
  it('add static and dynamic (function and HTTP) claims from the key file', async () => {
    const answer = await it_.post('/token', { grant_type: 'api_key', api_key: API_KEY })
    expect(answer.status).toBe(200)
    expect(answer.body.refresh_token).toBeUndefined()
    expect(claimsOf(answer.body.access_token)).toMatchObject({
      team: 'analytics',
      tier: 'gold',
      plan: 'enterprise',
      seats: 30,
      api_key_id: 'reporting-bot',
      scope: 'profile:read reports:read',
    })
  })

  it('accept the key in an X-API-Key header', async () => {
    const answer = await it_.post('/token', { grant_type: 'api_key' }, { 'x-api-key': API_KEY })
    expect(answer.status).toBe(200)
  })

  it('refuse a wrong key without saying whether the id exists', async () => {
    const wrongSecret = await it_.post('/token', {
      grant_type: 'api_key',
      api_key: 'pcd.reporting-bot.AAAAAAAAAAAAAAAAAAAAAAAA',
    })
    const unknownId = await it_.post('/token', {
      grant_type: 'api_key',
      api_key: 'pcd.nobody.AAAAAAAAAAAAAAAAAAAAAAAA',
    })
    expect([wrongSecret.status, unknownId.status]).toEqual([401, 401])
    expect(wrongSecret.body).toEqual(unknownId.body)
  })

  it('let an inline api_key_config take precedence over the file', async () => {
    const answer = await it_.post('/token', {
      grant_type: 'api_key',
      api_key: API_KEY,
      api_key_config: {
        claims: { team: 'inline' },
        dynamic_claims: [{ claim: 'plan', function: 'billingPlan' }],
      },
    })
    expect(answer.status).toBe(200)
    const claims = claimsOf(answer.body.access_token)
    expect(claims).toMatchObject({ team: 'inline', plan: 'enterprise' })
    expect(claims.tier).toBeUndefined()
  })

  it('refuse reserved claims, unknown functions and unknown placeholders with a 400 naming them', async () => {
    const config = (api_key_config: unknown) =>
      it_.post('/token', { grant_type: 'api_key', api_key: API_KEY, api_key_config })
    const reserved = await config({ claims: { iss: 'me' } })
    expect(reserved.body.error_description).toMatch(/claims\.iss: is set by the issuer/)
    const unknown = await config({ dynamic_claims: [{ claim: 'x', function: 'nope' }] })
    expect(unknown.body.error_description).toBe('dynamic claim "x": no function named "nope"')
    const placeholder = await config({
      dynamic_claims: [{ claim: 'x', http: { url: '{issuer}/demo/crm/users/{nope}' } }],
    })
    expect(placeholder.body.error_description).toBe('dynamic claim "x": unknown placeholder {nope}')
    expect([reserved.status, unknown.status, placeholder.status]).toEqual([400, 400, 400])
  })

  it('fail issuance with a clear 502 when an HTTP claim answers badly, lacks the field or times out', async () => {
    const crm = createServer((req, res) => {
      if (req.url?.startsWith('/broken')) return void res.writeHead(500).end('{}')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"other":1}}')
    })
    const port = await listen(crm, 0, '127.0.0.1', 'crm')
    const base = `http://127.0.0.1:${port}`
    // Inline configurations may call only the issuer's own origin, so these use the key's file path: the
    // same resolver, with the CRM's origin allowed for the test.
    const { resolveClaims } = await import('../src/issuer/dynamic-claims.js')
    const context = { userId: 'u-1', email: 'a@demo.test', apiKeyId: 'k', projectUuid: 'p', issuer: it_.url }
    const options = { functions: new Map(), allowedOrigins: 'any' as const }
    const http = (url: string, extra: Record<string, unknown> = {}) => ({
      claims: {},
      dynamic_claims: [
        {
          claim: 'seats',
          optional: false,
          http: { url, method: 'GET' as const, headers: {}, timeout_ms: 300, ...extra },
        },
      ],
    })
    try {
      await expect(resolveClaims(http(`${base}/broken/{user_id}`), context, options)).rejects.toThrow(
        `dynamic claim "seats": GET ${base}/broken/u-1 answered 500`,
      )
      await expect(
        resolveClaims(http(`${base}/ok`, { response_field: 'data.seats' }), context, options),
      ).rejects.toThrow(`dynamic claim "seats": GET ${base}/ok has no field "data.seats"`)
    } finally {
      await closeServer(crm)
    }
    const slow = await it_.post('/token', {
      grant_type: 'api_key',
      api_key: 'pcd.broken-crm.Yt5uB8nE2wQ7rZ4mK9pS3vL6',
    })
    expect(slow.status).toBe(502)
    expect(slow.body).toEqual({
      error: 'dynamic_claim_failed',
      error_description: `dynamic claim "crm_segment": GET ${it_.url}/demo/crm/slow/broken-crm timed out after 300 ms`,
    })
  })
})

describe('keys and discovery', () => {
  it('publishes discovery and a key set with the current and the next key', async () => {
    const discovery = await it_.get('/.well-known/openid-configuration')
    expect(discovery.body).toMatchObject({ issuer: it_.url, jwks_uri: `${it_.url}/.well-known/jwks.json` })
    const jwks = await it_.get('/.well-known/jwks.json')
    expect(jwks.body.keys).toHaveLength(2)
    for (const key of jwks.body.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS512', use: 'sig' })
      expect(key.d).toBeUndefined()
    }
  })

  it('rotation promotes the pre-published key, keeps tokens of the old one valid, and drops it once they expired', async () => {
    const before = await passwordToken()
    const next = it_.keys.describe().find((key) => key.state === 'next')?.kid
    const rotated = await it_.post('/admin/keys/rotate', {}, { 'x-admin-key': ADMIN_KEY })
    expect(rotated.status).toBe(200)
    expect(rotated.body.current).toBe(next)
    const after = await passwordToken()
    expect(headerOf(after.access_token).kid).toBe(rotated.body.current)
    expect((await it_.post('/decode', { token: before.access_token })).status).toBe(200)
    expect((await it_.post('/decode', { token: after.access_token })).status).toBe(200)
    const published = (now: number) => it_.keys.jwks(now).keys.map((key) => key.kid)
    expect(published(Date.now())).toContain(rotated.body.retired)
    expect(published(Date.now() + (900 + 61) * 1000)).not.toContain(rotated.body.retired)
  })

  it('admin endpoints need the admin key', async () => {
    expect((await it_.post('/admin/keys/rotate', {})).status).toBe(401)
    expect((await it_.get('/admin/projects')).status).toBe(401)
  })
})

describe('project registry and the Mercury-style GET /auth', () => {
  const basic = (appId: string, secret: string, service = SERVICE_ID) =>
    `Basic ${Buffer.from(`${appId}:${secret}:${service}`).toString('base64')}`
  const lookup = (authorization: string, signature = signLookup('GET', '/auth', SIGNING_SECRET)) =>
    it_.get('/auth', { authorization, ...signature })

  it('answers the project for good credentials and a good signature', async () => {
    const answer = await lookup(basic('analytical-engine', 'demo-secret-analytical-engine'))
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      projectUuid: 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f',
      projectName: 'Analytical Engine',
    })
  })

  it('answers 401 for a bad signature, a stale timestamp or a wrong secret, and 403 for a service not enabled', async () => {
    const good = basic('analytical-engine', 'demo-secret-analytical-engine')
    const badSignature = await lookup(good, signLookup('GET', '/auth', 'another-secret'))
    const stale = await lookup(good, signLookup('GET', '/auth', SIGNING_SECRET, Date.now() - 10 * 60 * 1000))
    const wrongSecret = await lookup(basic('analytical-engine', 'nope'))
    const otherService = await lookup(basic('difference-engine', 'demo-secret-difference-engine'))
    expect([badSignature.status, stale.status, wrongSecret.status, otherService.status]).toEqual([
      401, 401, 401, 403,
    ])
    expect(badSignature.body.message).toMatch(/signature/)
    expect(stale.body.message).toMatch(/timestamp/)
    expect(wrongSecret.body.message).not.toMatch(/signature|timestamp|service|disabled/i)
    expect(otherService.body.message).toMatch(/service/i)
  })

  it('creates projects keeping only an HMAC of their secret, shown once', async () => {
    const created = await it_.post(
      '/admin/projects',
      { name: 'Jacquard Loom', enabled_services: [SERVICE_ID] },
      { 'x-admin-key': ADMIN_KEY },
    )
    expect(created.status).toBe(201)
    const { appId, appSecret } = created.body as { appId: string; appSecret: string }
    const listed = await it_.get('/admin/projects', { 'x-admin-key': ADMIN_KEY })
    expect(JSON.stringify(listed.body)).not.toContain(appSecret)
    expect((await lookup(basic(appId, appSecret))).status).toBe(200)
  })

  it('a revoked project is refused by the lookup from then on', async () => {
    const created = await it_.post(
      '/admin/projects',
      { name: 'Short-lived', enabled_services: [SERVICE_ID] },
      { 'x-admin-key': ADMIN_KEY },
    )
    const { uuid, appId, appSecret } = created.body as { uuid: string; appId: string; appSecret: string }
    const revoked = await it_.post('/revoke', { project_uuid: uuid }, { 'x-admin-key': ADMIN_KEY })
    expect(revoked.status).toBe(200)
    const answer = await lookup(basic(appId, appSecret))
    expect(answer.status).toBe(403)
    expect(answer.body.message).toMatch(/disabled/)
  })
})
