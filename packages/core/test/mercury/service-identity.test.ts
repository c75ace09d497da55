import { type MercuryStandIn, startMercuryStandIn } from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceConfigSchema } from '../../src/mercury/config.js'
import { MercuryClient } from '../../src/mercury/mercury-client.js'
import { ServiceIdentity } from '../../src/mercury/service-identity.js'
import { CapturingLogger, codeOf, RecordingStore, SERVICE_ID, SIGNING_SECRET } from './helpers.js'

const SERVICE = { clientId: 'orders-api', clientSecret: 'orders-client-secret', serviceId: SERVICE_ID }

// One stand-in for the file (its service signing key takes a while to make); every test gets fresh counts.
let mercury: MercuryStandIn
beforeAll(async () => {
  mercury = await startMercuryStandIn({ signingSecret: SIGNING_SECRET, services: [SERVICE] })
})
afterAll(() => mercury.close())

async function setUp(options: { signingSecret?: string; clientSecret?: string } = {}) {
  mercury.setMode('ok')
  mercury.resetCounts()
  const logger = new CapturingLogger()
  const client = new MercuryClient({
    baseUrl: mercury.url,
    signingSecret: options.signingSecret ?? SIGNING_SECRET,
    retries: 0,
    logger,
  })
  const store = new RecordingStore()
  const config = serviceConfigSchema.parse({
    clientId: SERVICE.clientId,
    clientSecret: options.clientSecret ?? SERVICE.clientSecret,
  })
  const identity = ServiceIdentity.fromConfig(config, { client, store, logger })
  return { mercury, identity, store, client, logger, config }
}

describe('this service id at Mercury', () => {
  it('uses SERVICE_ID when configured, calling nothing', async () => {
    const identity = ServiceIdentity.fromConfig(serviceConfigSchema.parse({ id: SERVICE_ID }))
    await expect(identity.resolveServiceId()).resolves.toBe(SERVICE_ID)
  })

  it('discovers the id with client credentials over signed GraphQL, then serves it from cache', async () => {
    const { mercury, identity } = await setUp()
    await expect(identity.resolveServiceId()).resolves.toBe(SERVICE_ID)
    expect(mercury.counts.graphql).toBe(2)
    for (let i = 0; i < 10; i++) await identity.resolveServiceId()
    expect(mercury.counts.graphql).toBe(2)
  })

  it('makes one discovery for many concurrent callers', async () => {
    const { mercury, identity } = await setUp()
    mercury.setMode('slow')
    mercury.slowMs = 50
    const ids = await Promise.all(Array.from({ length: 25 }, () => identity.resolveServiceId()))
    expect(new Set(ids)).toEqual(new Set([SERVICE_ID]))
    expect(mercury.counts.graphql).toBe(2)
  })

  it('shares the discovered id through the store, so another instance calls nothing', async () => {
    const { mercury, store, client, config } = await setUp()
    await ServiceIdentity.fromConfig(config, { client, store }).resolveServiceId()
    const second = ServiceIdentity.fromConfig(config, { client, store })
    await expect(second.resolveServiceId()).resolves.toBe(SERVICE_ID)
    expect(mercury.counts.graphql).toBe(2)
  })

  it('answers 503 when the client credentials are wrong, and holds off for a cooldown', async () => {
    const { mercury, identity, logger } = await setUp({ clientSecret: 'wrong' })
    expect(await codeOf(identity.resolveServiceId())).toBe('auth_unavailable')
    expect(await codeOf(identity.resolveServiceId())).toBe('auth_unavailable')
    expect(mercury.counts.graphql).toBe(1)
    expect(logger.text()).not.toContain(SERVICE.clientSecret)
    expect(logger.text()).not.toContain('wrong')
  })

  it('answers 503 when Mercury refuses our signature', async () => {
    const { identity } = await setUp({ signingSecret: 'not-the-shared-secret' })
    expect(await codeOf(identity.resolveServiceId())).toBe('auth_unavailable')
  })

  it('keeps a discovered id when a later refresh fails', async () => {
    await setUp()
    const client = new MercuryClient({ baseUrl: mercury.url, signingSecret: SIGNING_SECRET, retries: 0 })
    const identity = new ServiceIdentity({ ...SERVICE, serviceId: undefined, client, idTtlMs: 30 })
    await identity.resolveServiceId()
    await new Promise((resolve) => setTimeout(resolve, 50))
    mercury.setMode('down')
    await expect(identity.resolveServiceId()).resolves.toBe(SERVICE_ID)
  })

  it('refuses half a set of client credentials at configuration time', () => {
    expect(serviceConfigSchema.safeParse({ clientId: 'x' }).success).toBe(false)
    expect(serviceConfigSchema.parse({})).toEqual({
      tokenScope: 'services:read',
      tokenTtlSec: 3300,
      idTtlSec: 86_400,
      failureCooldownSec: 5,
    })
  })
})
