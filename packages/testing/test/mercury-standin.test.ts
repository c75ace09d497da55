import { createHmac, randomUUID } from 'node:crypto'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MercuryStandIn, startMercuryStandIn } from '../src/index.js'
import { decodeSegment } from './decode-token.js'

const SECRET = 'shared-signing-secret'
const SERVICE_ID = randomUUID()

function signedHeaders(method: string, path: string, secret = SECRET, timestamp = Date.now()) {
  const signature = createHmac('sha256', secret).update(`${method}${path}${timestamp}`).digest('hex')
  return { 'x-timestamp': String(timestamp), 'x-signature': signature }
}

function basic(appId: string, secret: string, serviceId?: string) {
  const value = serviceId === undefined ? `${appId}:${secret}` : `${appId}:${secret}:${serviceId}`
  return `Basic ${Buffer.from(value).toString('base64')}`
}

describe('Mercury stand-in', () => {
  let mercury: MercuryStandIn
  beforeAll(async () => {
    mercury = await startMercuryStandIn({
      signingSecret: SECRET,
      projects: [
        {
          appId: 'app-1',
          appSecret: 'secret-1',
          projectName: 'One',
          projectUuid: '11111111-1111-4111-8111-111111111111',
        },
        { appId: 'app-off', appSecret: 'secret-off', enabled: false },
        { appId: 'app-narrow', appSecret: 'secret-n', enabledServices: ['other-service'] },
      ],
      services: [{ clientId: 'orders', clientSecret: 'orders-secret', serviceId: SERVICE_ID }],
    })
  })
  afterAll(() => mercury.close())

  async function auth(authorization: string, headers = signedHeaders('GET', '/auth')) {
    const response = await fetch(`${mercury.url}/auth`, { headers: { authorization, ...headers } })
    return { status: response.status, body: await response.json() }
  }

  it('answers GET /auth for a correctly signed call with the right credentials', async () => {
    mercury.resetCounts()
    await expect(auth(basic('app-1', 'secret-1', SERVICE_ID))).resolves.toEqual({
      status: 200,
      body: { projectUuid: '11111111-1111-4111-8111-111111111111', projectName: 'One' },
    })
    expect(mercury.counts.auth).toBe(1)
    expect(mercury.authCalls).toEqual([{ appId: 'app-1', serviceId: SERVICE_ID, outcome: 'ok' }])
  })

  it('refuses a wrong or stale signature with 401, as Mercury does', async () => {
    const wrong = await auth(
      basic('app-1', 'secret-1', SERVICE_ID),
      signedHeaders('GET', '/auth', 'other-secret'),
    )
    expect(wrong).toEqual({ status: 401, body: { message: 'Invalid signature' } })
    const stale = await auth(
      basic('app-1', 'secret-1'),
      signedHeaders('GET', '/auth', SECRET, Date.now() - 600_000),
    )
    expect(stale).toEqual({ status: 401, body: { message: 'Request timestamp expired' } })
    const unsigned = await auth(basic('app-1', 'secret-1'), {} as never)
    expect(unsigned.status).toBe(401)
  })

  it('refuses unknown apps, wrong secrets, disabled projects and services not enabled', async () => {
    expect((await auth(basic('nobody', 'x', SERVICE_ID))).status).toBe(404)
    expect(await auth(basic('app-1', 'wrong', SERVICE_ID))).toEqual({
      status: 401,
      body: { message: 'Invalid credentials' },
    })
    expect(await auth(basic('app-off', 'secret-off', SERVICE_ID))).toEqual({
      status: 401,
      body: { message: 'Project is disabled' },
    })
    expect((await auth(basic('app-narrow', 'secret-n', SERVICE_ID))).status).toBe(403)
    expect((await auth(basic('app-narrow', 'secret-n', 'other-service'))).status).toBe(200)
  })

  it('serves tenant key sets, 404 for unknown tenants, and counts each request', async () => {
    mercury.resetCounts()
    const tenant = mercury.addTenant()
    const ok = await fetch(`${mercury.url}/auth/projects/${tenant}/.well-known/jwks.json`)
    expect(((await ok.json()) as { keys: unknown[] }).keys).toHaveLength(1)
    const unknown = await fetch(`${mercury.url}/auth/projects/${randomUUID()}/.well-known/jwks.json`)
    expect(unknown.status).toBe(404)
    expect(mercury.counts.tenantJwks).toBe(2)
    expect(mercury.jwksFetches(tenant)).toBe(1)
  })

  it('mints project, platform and service tokens that verify against the published key sets', async () => {
    const tenant = mercury.addTenant()
    const project = mercury.mintProjectToken(tenant, { scopes: ['a'], enabledServices: [SERVICE_ID] })
    const tenantKeys = createRemoteJWKSet(
      new URL(`${mercury.url}/auth/projects/${tenant}/.well-known/jwks.json`),
    )
    const { payload } = await jwtVerify(project, tenantKeys)
    expect(payload).toMatchObject({
      type: 'project',
      tenant_id: tenant,
      scopes: ['a'],
      enabled_services: [SERVICE_ID],
    })
    expect(mercury.liveTokenKeys.has(`project_token:${payload.token_id}`)).toBe(true)

    const platform = mercury.mintProjectToken(tenant, { type: 'platform' })
    expect(decodeSegment(platform, 1)).toMatchObject({ type: 'platform' })

    const service = mercury.mintServiceToken({ clientId: 'orders' })
    const serviceKeys = createRemoteJWKSet(new URL(`${mercury.url}/auth/service/.well-known/jwks.json`))
    await expect(jwtVerify(service, serviceKeys)).resolves.toMatchObject({
      payload: { type: 'service', client_id: 'orders', scope: 'services:read' },
    })
    await expect(jwtVerify(service, tenantKeys)).rejects.toThrow()
  })

  it('rotates a tenant key, keeping the old one published', async () => {
    const tenant = mercury.addTenant()
    const first = mercury.tenantKey(tenant)
    const second = mercury.rotateTenantKey(tenant)
    const jwks = (await (
      await fetch(`${mercury.url}/auth/projects/${tenant}/.well-known/jwks.json`)
    ).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((key) => key.kid)).toEqual([first.kid, second.kid])
  })

  it('answers generateServiceToken and getRegisteredServiceByClientId over signed GraphQL', async () => {
    const graphql = async (
      query: string,
      input: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${mercury.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders('POST', '/graphql'), ...headers },
        body: JSON.stringify({ query, variables: { input } }),
      })
      return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] }
    }
    const token = await graphql('mutation { generateServiceToken(input: $input) { access_token } }', {
      client_id: 'orders',
      client_secret: 'orders-secret',
    })
    const accessToken = token.data?.generateServiceToken?.access_token as string
    expect(accessToken.split('.')).toHaveLength(3)
    const service = await graphql(
      'mutation { getRegisteredServiceByClientId(input: $input) { uuid } }',
      { client_id: 'orders' },
      { 'x-project-token': `Bearer ${accessToken}` },
    )
    expect(service.data?.getRegisteredServiceByClientId).toEqual({ uuid: SERVICE_ID })
    const refused = await graphql('mutation { generateServiceToken(input: $input) { access_token } }', {
      client_id: 'orders',
      client_secret: 'wrong',
    })
    expect(refused.errors).toHaveLength(1)
  })

  it('goes down and comes back, counting calls whatever the mode', async () => {
    mercury.resetCounts()
    mercury.setMode('down')
    await expect(fetch(`${mercury.url}/auth`)).rejects.toThrow()
    mercury.setMode('error500')
    expect((await fetch(`${mercury.url}/auth`)).status).toBe(500)
    mercury.setMode('ok')
    expect(mercury.counts.auth).toBe(2)
  })
})
