import { mintMercuryToken } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { hashProjectSecret } from '../../src/projects/secret-hash.js'
import { signRequest } from '../../src/projects/signed-request.js'
import { rawClient, redisForTest, within } from '../redis/redis-setup.js'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import {
  appHeaders,
  mercuryForTest,
  projectConfig,
  request,
  SERVICE_ID,
  SIGNING_SECRET,
} from './modes-setup.js'

describe('Mercury compatibility over real Redis', () => {
  it('follows project_token liveness (allowlist) and tenant secret versions, failing closed on read errors', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest()
    const tenant = mercury.addTenant()
    const auth = authFor(
      issuer,
      {},
      { ...projectConfig(mercury), mercury: { baseUrl: mercury.url }, redis: { url: redis.url } },
    )
    const raw = rawClient(redis.url)
    const token = mercury.mintProjectToken(tenant, {
      tokenId: 'tok-1',
      enabledServices: [SERVICE_ID],
      secretVersion: 2,
    })
    const policy = auth.policy({ mode: 'project' })
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), policy))).toBe(
      'token_revoked',
    )
    await raw.set('project_token:tok-1', '1')
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), policy))).toBe('ok')
    await raw.set(`tenant_secret_version:${tenant}`, '3')
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), policy))).toBe(
      'token_revoked',
    )
    await raw.set(`tenant_secret_version:${tenant}`, '2')
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), policy))).toBe('ok')
    await redis.kill()
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), policy))).toBe(
      'auth_unavailable',
    )
  })

  it('rejects a cached user token within 100 ms of Mercury writing revoked_token:{jti} with a plain SET', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const auth = authFor(
      issuer,
      { preset: 'mercury' },
      { redis: { url: redis.url }, revocation: { mercuryRevokedTokens: true } },
    )
    await auth.ready()
    const token = await mintMercuryToken(issuer, {}, { claims: { jti: 'mercury-jti-1' } })
    await auth.authenticate(bearer(token))
    await rawClient(redis.url).set('revoked_token:mercury-jti-1', '1', 'EX', 300)
    await within(100, async () => (await outcome(auth.authenticate(bearer(token)))) === 'token_revoked')
  })

  it('shares project lookups between instances: the second instance does not ask Mercury', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({
      projects: [{ appId: 'app-1', appSecret: 'pw-1', enabledServices: [SERVICE_ID] }],
    })
    const config = { ...projectConfig(mercury), redis: { url: redis.url } }
    const a = authFor(issuer, {}, config)
    const b = authFor(issuer, {}, config)
    await a.authenticate(request(appHeaders('app-1', 'pw-1')), { mode: 'project' })
    await b.authenticate(request(appHeaders('app-1', 'pw-1')), { mode: 'project' })
    expect(mercury.counts.auth).toBe(1)
    const keys = await rawClient(redis.url).keys('*')
    expect(keys.join(' ')).not.toContain('pw-1')
  })

  it('resolves projects from Redis hashes holding only the secret HMAC', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['RS512'] })
    await rawClient(redis.url).hset('project:app-h', {
      secret_hash: hashProjectSecret('hash-secret', SIGNING_SECRET),
      project_uuid: 'proj-h',
      project_name: 'Hashed',
      enabled_services: SERVICE_ID,
    })
    const auth = authFor(
      issuer,
      {},
      {
        projects: { signingSecret: SIGNING_SECRET, resolvers: ['redis'] },
        service: { id: SERVICE_ID },
        redis: { url: redis.url },
      },
    )
    await expect(
      auth.authenticate(request(appHeaders('app-h', 'hash-secret')), { mode: 'project' }),
    ).resolves.toMatchObject({
      project: { projectUuid: 'proj-h' },
    })
    expect(await outcome(auth.authenticate(request(appHeaders('app-h', 'other')), { mode: 'project' }))).toBe(
      'project_credentials_invalid',
    )
  })

  it('checks signed requests (strict: body hash, replays refused through Redis)', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const config = {
      projects: {
        signingSecret: SIGNING_SECRET,
        resolvers: ['static' as const],
        static: [
          { appId: 'app-s', secretHash: hashProjectSecret('pw', SIGNING_SECRET), projectUuid: 'proj-s' },
        ],
        signedRequests: { mode: 'strict' as const, exemptPaths: ['/health'] },
      },
      service: { id: SERVICE_ID },
      redis: { url: redis.url },
    }
    const a = authFor(issuer, {}, config)
    const b = authFor(issuer, {}, config)
    const token = await issuer.sign()
    const body = '{"amount":10}'
    const signed = signRequest(
      { method: 'POST', url: '/orders?x=1', body },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    const input = {
      method: 'POST',
      url: '/orders?x=1',
      body,
      headers: { authorization: `Bearer ${token}`, ...signed },
    }
    expect(await outcome(a.authenticate(input))).toBe('ok')
    // The same signed request again, on another instance: a replay.
    expect(await outcome(b.authenticate(input))).toBe('request_signature_invalid')
    const tampered = signRequest(
      { method: 'POST', url: '/orders?x=1', body },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    expect(
      await outcome(
        a.authenticate({ ...input, body: '{"amount":1000}', headers: { ...input.headers, ...tampered } }),
      ),
    ).toBe('request_signature_invalid')
    expect(
      await outcome(
        a.authenticate({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${token}` } }),
      ),
    ).toBe('ok')
  })
})
