import { describe, expect, it } from 'vitest'
import { mercuryConfigSchema } from '../../src/mercury/config.js'
import { MercuryClient } from '../../src/mercury/mercury-client.js'
import { MercuryUnavailableError } from '../../src/mercury/signed-fetch.js'
import { mercuryForTest, rejectionOf, SIGNING_SECRET } from './helpers.js'

const basic = (appId: string, secret: string, serviceId: string) =>
  `Basic ${Buffer.from(`${appId}:${secret}:${serviceId}`).toString('base64')}`

describe('calls to Mercury', () => {
  it('signs every call so that Mercury accepts it', async () => {
    const mercury = await mercuryForTest({ projects: [{ appId: 'a', appSecret: 's' }] })
    const client = new MercuryClient({ baseUrl: `${mercury.url}/`, signingSecret: SIGNING_SECRET })
    const response = await client.request({
      method: 'GET',
      path: '/auth',
      headers: { authorization: basic('a', 's', 'svc') },
    })
    expect(response.status).toBe(200)
    expect(mercury.authCalls).toEqual([{ appId: 'a', serviceId: 'svc', outcome: 'ok' }])
  })

  it('is refused by Mercury when signed with another secret', async () => {
    const mercury = await mercuryForTest({ projects: [{ appId: 'a', appSecret: 's' }] })
    const client = new MercuryClient({ baseUrl: mercury.url, signingSecret: 'wrong-secret' })
    const response = await client.request({
      method: 'GET',
      path: '/auth',
      headers: { authorization: basic('a', 's', 'x') },
    })
    expect(response.status).toBe(401)
    expect(mercury.authCalls[0]?.outcome).toBe('bad_signature')
  })

  it('retries 5xx answers with backoff, then gives up with MercuryUnavailableError', async () => {
    const mercury = await mercuryForTest()
    mercury.setMode('error500')
    const client = new MercuryClient({
      baseUrl: mercury.url,
      signingSecret: SIGNING_SECRET,
      retries: 2,
      retryBackoffMs: 10,
    })
    const error = await rejectionOf(client.request({ method: 'GET', path: '/auth' }))
    expect(error).toBeInstanceOf(MercuryUnavailableError)
    expect((error as MercuryUnavailableError).reason).toBe('server_error')
    expect(mercury.counts.auth).toBe(3)
  })

  it('does not retry a 4xx answer', async () => {
    const mercury = await mercuryForTest()
    const client = new MercuryClient({ baseUrl: mercury.url, signingSecret: SIGNING_SECRET, retries: 3 })
    const response = await client.request({
      method: 'GET',
      path: '/auth',
      headers: { authorization: basic('x', 'y', 'z') },
    })
    expect(response.status).toBe(404)
    expect(mercury.counts.auth).toBe(1)
  })

  it('gives up on a slow Mercury after the timeout', async () => {
    const mercury = await mercuryForTest()
    mercury.setMode('slow')
    mercury.slowMs = 2000
    const client = new MercuryClient({
      baseUrl: mercury.url,
      signingSecret: SIGNING_SECRET,
      timeoutMs: 100,
      retries: 0,
    })
    const started = Date.now()
    const error = await rejectionOf(client.request({ method: 'GET', path: '/auth' }))
    expect((error as MercuryUnavailableError).reason).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('takes its settings from the mercury section, with documented defaults', () => {
    const config = mercuryConfigSchema.parse({ baseUrl: 'https://mercury.example' })
    expect(config).toMatchObject({
      timeoutMs: 3000,
      retries: 1,
      retryBackoffMs: 100,
      circuitBreaker: { failureThreshold: 5, resetAfterMs: 30_000 },
      projectTokens: {
        header: 'x-project-token',
        tokenLiveness: 'allowlist',
        secretVersionKey: 'tenant_secret_version:{tenant}',
        projectTokenKey: 'project_token:{token_id}',
        platformTokenKey: 'platform_token:{token_id}',
        algorithms: ['RS256', 'RS384', 'RS512'],
      },
      tenantKeySets: { maxTenants: 1000, newTenantFetchesPerSec: 10, unknownTenantTtlSec: 300 },
    })
    expect(() => MercuryClient.fromConfig(mercuryConfigSchema.parse({}), SIGNING_SECRET)).toThrow(/baseUrl/)
    expect(
      mercuryConfigSchema.safeParse({ projectTokens: { projectTokenKey: 'project_token' } }).success,
    ).toBe(false)
  })
})
