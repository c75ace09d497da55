import { randomUUID } from 'node:crypto'
import type { MercuryStandIn } from '@portcullis/testing'
import { buildCompactJws, generateTestKey, startMercuryStandIn } from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MercuryConfigInput, mercuryConfigSchema } from '../../src/mercury/config.js'
import { MercuryProjectTokenVerifier } from '../../src/mercury/project-token-verifier.js'
import { TenantKeySets } from '../../src/mercury/tenant-key-sets.js'
import {
  CapturingLogger,
  codeOf,
  MapKeyReader,
  OTHER_SERVICE_ID,
  onCleanup,
  rejectionOf,
  SERVICE_ID,
  SIGNING_SECRET,
} from './helpers.js'

const TENANT = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f'

// One stand-in for the file: its RSA keys take a while to make, and every test gets fresh counts.
let mercury: MercuryStandIn
beforeAll(async () => {
  mercury = await startMercuryStandIn({
    signingSecret: SIGNING_SECRET,
    tenants: [TENANT],
    services: [{ clientId: 'billing', clientSecret: 's' }],
  })
})
afterAll(() => mercury.close())

async function setUp(
  config: MercuryConfigInput['projectTokens'] = {},
  keySets: MercuryConfigInput['tenantKeySets'] = {},
) {
  mercury.setMode('ok')
  mercury.resetCounts()
  const parsed = mercuryConfigSchema.parse({
    baseUrl: mercury.url,
    projectTokens: config,
    tenantKeySets: keySets,
  })
  const logger = new CapturingLogger()
  const keys = TenantKeySets.fromConfig(mercury.url, parsed.tenantKeySets, { logger })
  const reader = new MapKeyReader()
  const verifier = new MercuryProjectTokenVerifier({
    keySets: keys,
    config: parsed.projectTokens,
    keyReader: reader,
    logger,
  })
  onCleanup(() => keys.close())
  return { mercury, keys, reader, verifier, logger }
}

/** Mints a token and writes Mercury's liveness key for it, as Mercury does when it issues one. */
function liveToken(
  mercury: MercuryStandIn,
  reader: MapKeyReader,
  tenant: string,
  options: Parameters<MercuryStandIn['mintProjectToken']>[1] = {},
): string {
  const tokenId = options.tokenId ?? randomUUID()
  const type = options.type ?? 'project'
  reader.values.set(`${type}_token:${tokenId}`, '1')
  return mercury.mintProjectToken(tenant, { enabledServices: [SERVICE_ID], ...options, tokenId })
}

describe('Mercury project, platform and service tokens', () => {
  it('verifies a project token against its tenant key set', async () => {
    const { mercury, reader, verifier } = await setUp()
    const token = liveToken(mercury, reader, TENANT, { scopes: ['orders:read'], secretVersion: 2 })
    const project = await verifier.verify(token, { serviceId: SERVICE_ID })
    expect(project).toMatchObject({
      tokenType: 'project',
      projectUuid: TENANT,
      tenant: TENANT,
      enabledServices: [SERVICE_ID],
      scopes: ['orders:read'],
      secretVersion: 2,
    })
    expect(mercury.jwksFetches(TENANT)).toBe(1)
  })

  it('verifies a platform token and a service token (against the service key set)', async () => {
    const { mercury, reader, verifier } = await setUp()
    const platform = liveToken(mercury, reader, TENANT, { type: 'platform' })
    await expect(verifier.verify(platform)).resolves.toMatchObject({ tokenType: 'platform', tenant: TENANT })
    const service = mercury.mintServiceToken({ clientId: 'billing', scope: 'invoices:read invoices:write' })
    await expect(verifier.verify(service, { serviceId: SERVICE_ID })).resolves.toMatchObject({
      tokenType: 'service',
      clientId: 'billing',
      serviceName: 'billing',
      scopes: ['invoices:read', 'invoices:write'],
    })
    expect(mercury.counts.serviceJwks).toBe(1)
  })

  it('keeps each tenant on its own keys: a token signed with another tenant key fails', async () => {
    const { mercury, reader, verifier } = await setUp()
    const other = mercury.addTenant()
    const forged = liveToken(mercury, reader, TENANT, { key: mercury.tenantKey(other) })
    expect(await codeOf(verifier.verify(forged))).toMatch(/token_key_unknown|token_signature_invalid/)
    const alsoForged = liveToken(mercury, reader, TENANT, {
      key: { ...mercury.tenantKey(other), kid: mercury.tenantKey(TENANT).kid },
    })
    expect(await codeOf(verifier.verify(alsoForged))).toBe('token_signature_invalid')
  })

  it('refuses a project token claiming to be a service token (the service key set lacks its key)', async () => {
    const { mercury, reader, verifier } = await setUp()
    const token = liveToken(mercury, reader, TENANT, {
      claims: { type: 'service', client_id: 'x', service_name: 'x', jti: 'j' },
    })
    expect(await codeOf(verifier.verify(token))).toBe('token_key_unknown')
  })

  it('reads the token from x-project-token with or without Bearer', async () => {
    const { mercury, reader, verifier } = await setUp()
    const token = liveToken(mercury, reader, TENANT)
    expect(verifier.extract({ 'x-project-token': `Bearer ${token}` })).toBe(token)
    expect(verifier.extract({ 'x-project-token': token })).toBe(token)
    expect(verifier.extract({})).toBeUndefined()
    expect(() => verifier.extract({ 'x-project-token': [token, token] })).toThrow(/malformed/)
  })

  it('refuses with 403 when this service is not enabled, without naming the enabled services', async () => {
    const { mercury, reader, verifier } = await setUp()
    const token = liveToken(mercury, reader, TENANT, { enabledServices: [OTHER_SERVICE_ID] })
    const error = await rejectionOf(verifier.verify(token, { serviceId: SERVICE_ID }))
    expect(error.code).toBe('insufficient_scope')
    expect(error.status).toBe(403)
    expect(error.message).not.toContain(OTHER_SERVICE_ID)
    expect((error as unknown as { wwwAuthenticate: string }).wwwAuthenticate).not.toContain(OTHER_SERVICE_ID)
  })

  it('checks this service in platform tokens too, unless platformTokensNeedService is off', async () => {
    const strict = await setUp()
    const token = liveToken(mercury, strict.reader, TENANT, { type: 'platform', enabledServices: [] })
    expect(await codeOf(strict.verifier.verify(token, { serviceId: SERVICE_ID }))).toBe('insufficient_scope')
    const lenient = await setUp({ platformTokensNeedService: false })
    const other = liveToken(mercury, lenient.reader, TENANT, { type: 'platform', enabledServices: [] })
    await expect(lenient.verifier.verify(other, { serviceId: SERVICE_ID })).resolves.toMatchObject({
      tokenType: 'platform',
    })
  })

  it('refuses a token whose secret_version is older than the tenant secret', async () => {
    const { mercury, reader, verifier } = await setUp()
    reader.values.set(`tenant_secret_version:${TENANT}`, '3')
    const old = liveToken(mercury, reader, TENANT, { secretVersion: 2 })
    const current = liveToken(mercury, reader, TENANT, { secretVersion: 3 })
    expect(await codeOf(verifier.verify(old))).toBe('token_revoked')
    await expect(verifier.verify(current)).resolves.toMatchObject({ secretVersion: 3 })
  })

  it('fails closed (503) when Mercury Redis cannot be read, unlike the Go port', async () => {
    const { mercury, reader, verifier } = await setUp()
    const token = liveToken(mercury, reader, TENANT)
    reader.failing = true
    const error = await rejectionOf(verifier.verify(token))
    expect(error.code).toBe('auth_unavailable')
    expect(error.status).toBe(503)
  })

  it('refuses a token without its project_token key under the allowlist (default)', async () => {
    const { mercury, verifier } = await setUp()
    const token = mercury.mintProjectToken(TENANT, { enabledServices: [SERVICE_ID] })
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked')
  })

  it('refuses a platform token without its platform_token key under the allowlist', async () => {
    const { mercury, reader, verifier } = await setUp()
    const tokenId = randomUUID()
    reader.values.set(`project_token:${tokenId}`, '1')
    const token = mercury.mintProjectToken(TENANT, { type: 'platform', tokenId })
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked')
  })

  it('under the denylist, refuses a token whose key exists and accepts one whose key does not', async () => {
    const { mercury, reader, verifier } = await setUp({ tokenLiveness: 'denylist' })
    const revoked = liveToken(mercury, reader, TENANT)
    const fresh = mercury.mintProjectToken(TENANT)
    expect(await codeOf(verifier.verify(revoked))).toBe('token_revoked')
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ tokenType: 'project' })
  })

  it('checks liveness on every request, also for a token whose signature is cached', async () => {
    const { mercury, reader, verifier } = await setUp()
    const tokenId = randomUUID()
    const token = liveToken(mercury, reader, TENANT, { tokenId })
    await verifier.verify(token)
    reader.values.delete(`project_token:${tokenId}`)
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked')
    expect(mercury.jwksFetches(TENANT)).toBe(1)
  })

  it('uses configured key templates', async () => {
    const { mercury, reader, verifier } = await setUp({
      secretVersionKey: 'project_secret_version:{tenant}',
      projectTokenKey: 'live:{token_id}',
    })
    reader.values.set(`project_secret_version:${TENANT}`, '5')
    const token = mercury.mintProjectToken(TENANT, { tokenId: 't-1', secretVersion: 4 })
    reader.values.set('live:t-1', '1')
    expect(await codeOf(verifier.verify(token))).toBe('token_revoked')
  })

  it('refuses a non-UUID tenant without any fetch, and never pastes it into a URL', async () => {
    const { mercury, reader, verifier } = await setUp()
    for (const tenant of ['../service', 'x/../../admin', `${TENANT}/../x`, '%2e%2e', 'tenant?x=1', '']) {
      const token = liveToken(mercury, reader, TENANT, {
        claims: { tenant_id: tenant, project_uuid: tenant },
      })
      expect(await codeOf(verifier.verify(token))).toBe('token_claims_invalid')
    }
    expect(mercury.counts.tenantJwks + mercury.counts.serviceJwks + mercury.counts.other).toBe(0)
  })

  it('bounds fetches under a flood of made-up tenants, and keeps serving the real one', async () => {
    const { mercury, reader, verifier, keys } = await setUp(
      {},
      { newTenantFetchesPerSec: 5, newTenantBurst: 5, maxTenants: 50 },
    )
    const good = liveToken(mercury, reader, TENANT)
    await verifier.verify(good)
    mercury.resetCounts()
    const key = generateTestKey('RS256')
    const codes = await Promise.all(
      Array.from({ length: 200 }, () => {
        const tenant = randomUUID()
        const token = buildCompactJws(
          { alg: 'RS256', kid: key.kid },
          {
            type: 'project',
            tenant_id: tenant,
            token_id: 't',
            enabled_services: [],
            exp: Date.now() / 1000 + 60,
          },
          { key },
        )
        return codeOf(verifier.verify(token))
      }),
    )
    expect(mercury.counts.tenantJwks).toBeLessThanOrEqual(6)
    expect(codes.filter((code) => code === 'issuer_unavailable').length).toBeGreaterThanOrEqual(194)
    expect(codes.filter((code) => code === 'token_issuer_unknown').length).toBe(mercury.counts.tenantJwks)
    expect(keys.heldTenants).toBe(1)
    await expect(verifier.verify(good)).resolves.toMatchObject({ tenant: TENANT })
  })

  it('remembers a tenant Mercury does not know, so asking again fetches nothing', async () => {
    const { mercury, reader, verifier } = await setUp()
    const ghost = randomUUID()
    const key = mercury.tenantKey(TENANT)
    for (let i = 0; i < 5; i++) {
      const token = liveToken(mercury, reader, TENANT, {
        key,
        claims: { tenant_id: ghost, project_uuid: ghost },
      })
      expect(await codeOf(verifier.verify(token))).toBe('token_issuer_unknown')
    }
    expect(mercury.jwksFetches(ghost)).toBe(1)
  })

  it('holds at most maxTenants key sets', async () => {
    const { mercury, reader, verifier, keys } = await setUp(
      {},
      { maxTenants: 2, newTenantFetchesPerSec: 100, newTenantBurst: 100 },
    )
    for (let i = 0; i < 3; i++) {
      const tenant = mercury.addTenant()
      await verifier.verify(liveToken(mercury, reader, tenant))
    }
    expect(keys.heldTenants).toBe(2)
  })

  it('refuses tokens of a type, algorithm or shape it must not accept', async () => {
    const { mercury, reader, verifier } = await setUp({ acceptedTypes: ['project'] })
    const platform = liveToken(mercury, reader, TENANT, { type: 'platform' })
    expect(await codeOf(verifier.verify(platform))).toBe('token_type_invalid')
    const access = liveToken(mercury, reader, TENANT, { claims: { type: 'access' } })
    expect(await codeOf(verifier.verify(access))).toBe('token_type_invalid')
    const expired = liveToken(mercury, reader, TENANT, { expiresIn: -120 })
    expect(await codeOf(verifier.verify(expired))).toBe('token_expired')
    const noServices = liveToken(mercury, reader, TENANT, { claims: { enabled_services: undefined } })
    expect(await codeOf(verifier.verify(noServices))).toBe('token_claims_invalid')
    const [header, payload] = liveToken(mercury, reader, TENANT).split('.')
    expect(await codeOf(verifier.verify(`${header}.${payload}.`))).toBe('token_malformed')
    const hs = buildCompactJws({ alg: 'HS256' }, { type: 'project', tenant_id: TENANT }, { hmacSecret: 'x' })
    expect(await codeOf(verifier.verify(hs))).toBe('token_algorithm_not_allowed')
    const none = buildCompactJws({ alg: 'none' }, { type: 'project', tenant_id: TENANT }, { signature: '' })
    expect(await codeOf(verifier.verify(none))).toMatch(/token_algorithm_not_allowed|token_malformed/)
  })

  it('checks issuer and audience when configured', async () => {
    const { mercury, reader, verifier } = await setUp({
      issuer: 'https://mercury.example',
      audience: 'orders',
    })
    const wrongIssuer = liveToken(mercury, reader, TENANT, { claims: { aud: 'orders' } })
    expect(await codeOf(verifier.verify(wrongIssuer))).toBe('token_issuer_unknown')
    const wrongAudience = liveToken(mercury, reader, TENANT, {
      claims: { iss: 'https://mercury.example', aud: 'x' },
    })
    expect(await codeOf(verifier.verify(wrongAudience))).toBe('token_audience_invalid')
    const right = liveToken(mercury, reader, TENANT, {
      claims: { iss: 'https://mercury.example', aud: ['orders'] },
    })
    await expect(verifier.verify(right)).resolves.toMatchObject({ tenant: TENANT })
  })

  it('answers 503 when the tenant key set cannot be fetched, then recovers', async () => {
    const { mercury, reader, verifier } = await setUp({}, { cooldownSec: 0 })
    const token = liveToken(mercury, reader, TENANT)
    mercury.setMode('down')
    expect(await codeOf(verifier.verify(token))).toBe('issuer_unavailable')
    mercury.setMode('ok')
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenant: TENANT })
  })

  it('logs no token', async () => {
    const { mercury, reader, verifier, logger } = await setUp()
    const token = liveToken(mercury, reader, TENANT)
    mercury.setMode('error500')
    await codeOf(verifier.verify(token))
    reader.failing = true
    mercury.setMode('ok')
    await codeOf(verifier.verify(token))
    expect(logger.lines.length).toBeGreaterThan(0)
    expect(logger.text()).not.toContain(token.split('.')[2])
  })
})
