import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { MercuryClient } from '../../src/mercury/mercury-client.js'
import { projectsConfigSchema } from '../../src/projects/config.js'
import { createProjectResolvers } from '../../src/projects/create-resolvers.js'
import { ProjectCredentials, readProjectCredentials } from '../../src/projects/credentials.js'
import { functionProjectResolver } from '../../src/projects/function-resolver.js'
import { ProjectAuthenticator } from '../../src/projects/project-authenticator.js'
import { RedisHashProjectResolver } from '../../src/projects/redis-hash-resolver.js'
import type { ProjectResolver } from '../../src/projects/resolver.js'
import { hashProjectSecret, secretHashesEqual } from '../../src/projects/secret-hash.js'
import { StaticProjectResolver } from '../../src/projects/static-resolver.js'
import {
  CapturingLogger,
  codeOf,
  MapHashReader,
  mercuryForTest,
  OTHER_SERVICE_ID,
  SERVICE_ID,
  SIGNING_SECRET,
} from '../mercury/helpers.js'

const SECRET = 'static-secret-0f1e2d3c'
const headers = (appId: string, secret: string) => ({ 'x-app-id': appId, 'x-app-secret': secret })

function authenticatorWith(...resolvers: ProjectResolver[]) {
  return new ProjectAuthenticator({ signingSecret: SIGNING_SECRET, resolvers })
}

describe('secret hashing and comparison', () => {
  it('hashes a secret as lowercase hex HMAC-SHA256 keyed with the shared secret', () => {
    const hash = hashProjectSecret('s3cret', 'shared')
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hash).not.toBe(hashProjectSecret('s3cret', 'other-shared'))
    expect(hash).not.toContain('s3cret')
  })

  it('compares equal-length hashes, and answers false without throwing for different lengths', () => {
    const hash = hashProjectSecret('a', SIGNING_SECRET)
    expect(secretHashesEqual(hash, hash)).toBe(true)
    expect(secretHashesEqual(hash, hashProjectSecret('b', SIGNING_SECRET))).toBe(false)
    expect(() => secretHashesEqual(hash, 'short')).not.toThrow()
    expect(secretHashesEqual(hash, 'short')).toBe(false)
    expect(secretHashesEqual(hash, `${hash}00`)).toBe(false)
    expect(secretHashesEqual('', hash)).toBe(false)
  })

  it('keeps the clear secret out of JSON and inspect output of presented credentials', () => {
    const credentials = new ProjectCredentials('app-1', 'very-secret-value', SIGNING_SECRET)
    expect(JSON.stringify({ credentials })).not.toContain('very-secret-value')
    expect(inspect(credentials, { depth: 5, showHidden: true })).not.toContain('very-secret-value')
    expect(credentials.revealSecret()).toBe('very-secret-value')
    expect(credentials.secretHash).toBe(hashProjectSecret('very-secret-value', SIGNING_SECRET))
  })

  it('refuses repeated or oversized credential headers before any lookup', () => {
    expect(() =>
      readProjectCredentials({ 'x-app-id': ['a', 'b'], 'x-app-secret': 's' }, SIGNING_SECRET),
    ).toThrow(/malformed/)
    expect(() => readProjectCredentials(headers('a', 'x'.repeat(2000)), SIGNING_SECRET)).toThrow(/invalid/)
    expect(() => readProjectCredentials(headers('a'.repeat(200), 'x'), SIGNING_SECRET)).toThrow(/invalid/)
    expect(readProjectCredentials({}, SIGNING_SECRET)).toBeUndefined()
  })
})

describe('static projects from configuration', () => {
  const config = projectsConfigSchema.parse({
    signingSecret: SIGNING_SECRET,
    resolvers: ['static'],
    static: [
      {
        appId: 'app-static',
        secretHash: hashProjectSecret(SECRET, SIGNING_SECRET),
        projectUuid: 'p-static',
        enabledServices: [SERVICE_ID],
        scopes: ['reports:read'],
      },
      {
        appId: 'app-off',
        secretHash: hashProjectSecret(SECRET, SIGNING_SECRET),
        projectUuid: 'p-off',
        enabled: false,
      },
      {
        appId: 'app-elsewhere',
        secretHash: hashProjectSecret(SECRET, SIGNING_SECRET),
        projectUuid: 'p-else',
        enabledServices: [OTHER_SERVICE_ID],
      },
    ],
  })
  const authenticator = ProjectAuthenticator.fromConfig(config, {
    resolvers: createProjectResolvers(config, {}),
  })

  it('accepts the right secret', async () => {
    await expect(
      authenticator.authenticate(headers('app-static', SECRET), SERVICE_ID),
    ).resolves.toMatchObject({
      projectUuid: 'p-static',
      scopes: ['reports:read'],
      secretVersion: 0,
    })
  })

  it('refuses a wrong secret, an unknown app, a disabled project and a project without this service', async () => {
    expect(await codeOf(authenticator.authenticate(headers('app-static', 'nope'), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
    expect(await codeOf(authenticator.authenticate(headers('app-missing', SECRET), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
    expect(await codeOf(authenticator.authenticate(headers('app-off', SECRET), SERVICE_ID))).toBe(
      'project_revoked',
    )
    expect(await codeOf(authenticator.authenticate(headers('app-elsewhere', SECRET), SERVICE_ID))).toBe(
      'insufficient_scope',
    )
  })

  it('refuses a configuration holding a clear secret, or a hash that is not one', () => {
    const clear = projectsConfigSchema.safeParse({
      static: [{ appId: 'a', secret: 'clear-text', projectUuid: 'p' }],
    })
    expect(clear.success).toBe(false)
    const notHash = projectsConfigSchema.safeParse({
      static: [{ appId: 'a', secretHash: 'clear-text', projectUuid: 'p' }],
    })
    expect(notHash.success).toBe(false)
    expect(JSON.stringify(notHash.error?.issues)).toContain('hashProjectSecret')
  })

  it('documents its defaults', () => {
    const defaults = projectsConfigSchema.parse({})
    expect(defaults).toMatchObject({
      headers: { appId: 'x-app-id', appSecret: 'x-app-secret', serviceId: 'x-service-id' },
      resolvers: ['mercury'],
      cache: { ttlSec: 900, negativeTtlSec: 30, staleIfErrorSec: 300, maxEntries: 10_000 },
      limits: { maxFailuresPerAppId: 20, windowSec: 60, lookupsPerSec: 50, lookupBurst: 100 },
      redis: { keyTemplate: 'project:{appId}' },
    })
  })
})

describe('projects kept as Redis hashes', () => {
  function hashResolver() {
    const reader = new MapHashReader()
    reader.hashes.set('project:app-r', {
      secret_hash: hashProjectSecret(SECRET, SIGNING_SECRET),
      project_uuid: 'p-redis',
      project_name: 'Redis project',
      enabled: 'true',
      enabled_services: JSON.stringify([SERVICE_ID]),
      scopes: 'a:read, b:write',
      secret_version: '4',
    })
    return { reader, resolver: new RedisHashProjectResolver({ reader }) }
  }

  it('accepts the right secret and reads every field', async () => {
    const { resolver } = hashResolver()
    await expect(
      authenticatorWith(resolver).authenticate(headers('app-r', SECRET), SERVICE_ID),
    ).resolves.toEqual({
      tokenType: 'credentials',
      projectUuid: 'p-redis',
      projectName: 'Redis project',
      tenant: 'p-redis',
      enabledServices: [SERVICE_ID],
      scopes: ['a:read', 'b:write'],
      secretVersion: 4,
      appId: 'app-r',
    })
  })

  it('refuses a wrong secret and a missing hash', async () => {
    const { resolver } = hashResolver()
    const authenticator = authenticatorWith(resolver)
    expect(await codeOf(authenticator.authenticate(headers('app-r', 'wrong'), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
    expect(await codeOf(authenticator.authenticate(headers('app-none', SECRET), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
  })

  it('answers 401 without throwing when the stored hash has another length', async () => {
    const { reader, resolver } = hashResolver()
    reader.hashes.set('project:app-short', { secret_hash: 'abc', project_uuid: 'p' })
    expect(
      await codeOf(authenticatorWith(resolver).authenticate(headers('app-short', SECRET), SERVICE_ID)),
    ).toBe('project_credentials_invalid')
  })

  it('answers 503 when Redis cannot be read or a record is malformed', async () => {
    const { reader, resolver } = hashResolver()
    reader.hashes.set('project:app-bad', {
      secret_hash: hashProjectSecret(SECRET, SIGNING_SECRET),
      project_uuid: 'p',
      enabled: 'maybe',
    })
    expect(
      await codeOf(authenticatorWith(resolver).authenticate(headers('app-bad', SECRET), SERVICE_ID)),
    ).toBe('auth_unavailable')
    reader.failing = true
    expect(await codeOf(authenticatorWith(resolver).authenticate(headers('app-r', SECRET), SERVICE_ID))).toBe(
      'auth_unavailable',
    )
  })
})

describe('a user function as resolver, and resolvers in a chain', () => {
  it('uses what the function returns, with Mercury defaults', async () => {
    const resolver = functionProjectResolver((credentials, serviceId) =>
      credentials.appId === 'fn-app' && credentials.secretHash === hashProjectSecret(SECRET, SIGNING_SECRET)
        ? { projectUuid: 'p-fn', enabledServices: [serviceId] }
        : undefined,
    )
    await expect(
      authenticatorWith(resolver).authenticate(headers('fn-app', SECRET), SERVICE_ID),
    ).resolves.toMatchObject({
      projectUuid: 'p-fn',
      enabledServices: [SERVICE_ID],
      scopes: [],
      secretVersion: 0,
    })
    expect(await codeOf(authenticatorWith(resolver).authenticate(headers('fn-app', 'x'), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
  })

  it('asks the next resolver when one does not know the app, and stops at the first that does', async () => {
    const mercury = await mercuryForTest({ projects: [{ appId: 'remote-app', appSecret: 'remote-secret' }] })
    const staticResolver = new StaticProjectResolver([
      { appId: 'local-app', secretHash: hashProjectSecret(SECRET, SIGNING_SECRET), projectUuid: 'p-local' },
    ])
    const client = new MercuryClient({ baseUrl: mercury.url, signingSecret: SIGNING_SECRET })
    const config = projectsConfigSchema.parse({ resolvers: ['mercury'] })
    expect(() => createProjectResolvers(config, {})).toThrow(/mercury/)
    const chain = authenticatorWith(staticResolver, ...createProjectResolvers(config, { mercury: client }))
    await expect(chain.authenticate(headers('local-app', SECRET), SERVICE_ID)).rejects.toMatchObject({
      code: 'insufficient_scope',
    })
    expect(mercury.counts.auth).toBe(0)
    await expect(
      chain.authenticate(headers('remote-app', 'remote-secret'), SERVICE_ID),
    ).resolves.toMatchObject({
      enabledServices: [SERVICE_ID],
    })
    expect(mercury.counts.auth).toBe(1)
  })

  it('answers 503, not 401, when an unknown app could not be asked of a resolver that is down', async () => {
    const mercury = await mercuryForTest()
    mercury.setMode('down')
    const logger = new CapturingLogger()
    const client = new MercuryClient({
      baseUrl: mercury.url,
      signingSecret: SIGNING_SECRET,
      retries: 0,
      logger,
    })
    const chain = authenticatorWith(
      new StaticProjectResolver([]),
      ...createProjectResolvers(projectsConfigSchema.parse({}), { mercury: client, logger }),
    )
    expect(await codeOf(chain.authenticate(headers('who', 'knows'), SERVICE_ID))).toBe('auth_unavailable')
  })
})
