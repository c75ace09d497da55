import { describe, expect, it } from 'vitest'
import { MercuryClient } from '../../src/mercury/mercury-client.js'
import { MercuryProjectResolver } from '../../src/projects/mercury-resolver.js'
import {
  ProjectAuthenticator,
  type ProjectAuthenticatorOptions,
} from '../../src/projects/project-authenticator.js'
import { hashProjectSecret } from '../../src/projects/secret-hash.js'
import {
  CapturingLogger,
  codeOf,
  mercuryForTest,
  OTHER_SERVICE_ID,
  RecordingStore,
  rejectionOf,
  SERVICE_ID,
  SIGNING_SECRET,
} from '../mercury/helpers.js'

const APP = { appId: 'app-alpha', appSecret: 'alpha-secret-9f8e7d6c5b4a', projectName: 'Alpha' }

async function setUp(
  options: { signingSecret?: string; mercury?: Parameters<typeof mercuryForTest>[0] } & Partial<
    Pick<ProjectAuthenticatorOptions, 'cache' | 'limits'>
  > & { client?: Partial<ConstructorParameters<typeof MercuryClient>[0]> } = {},
) {
  const mercury = await mercuryForTest({ projects: [APP], ...options.mercury })
  const logger = new CapturingLogger()
  const store = new RecordingStore()
  const client = new MercuryClient({
    baseUrl: mercury.url,
    signingSecret: options.signingSecret ?? SIGNING_SECRET,
    timeoutMs: 2000,
    retries: 0,
    logger,
    ...options.client,
  })
  const authenticator = new ProjectAuthenticator({
    signingSecret: SIGNING_SECRET,
    resolvers: [new MercuryProjectResolver({ client, logger })],
    store,
    logger,
    ...(options.cache && { cache: options.cache }),
    ...(options.limits && { limits: options.limits }),
  })
  return { mercury, logger, store, client, authenticator }
}

function credentials(appId: string, appSecret: string, extra: Record<string, string> = {}) {
  return { 'x-app-id': appId, 'x-app-secret': appSecret, ...extra }
}

describe('project credentials checked by Mercury', () => {
  it('accepts the right secret and returns the project with Mercury defaults filled in', async () => {
    const { mercury, authenticator } = await setUp()
    const project = await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    expect(project).toMatchObject({
      tokenType: 'credentials',
      projectName: 'Alpha',
      enabledServices: [SERVICE_ID],
      scopes: [],
      secretVersion: 0,
      appId: APP.appId,
    })
    expect(project.projectUuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(project.tenant).toBe(project.projectUuid)
    expect(mercury.authCalls).toEqual([{ appId: APP.appId, serviceId: SERVICE_ID, outcome: 'ok' }])
  })

  it('refuses a wrong secret with 401 project_credentials_invalid', async () => {
    const { mercury, authenticator } = await setUp()
    const error = await rejectionOf(
      authenticator.authenticate(credentials(APP.appId, 'wrong-secret'), SERVICE_ID),
    )
    expect(error.code).toBe('project_credentials_invalid')
    expect(error.status).toBe(401)
    expect(mercury.authCalls[0]?.outcome).toBe('wrong_secret')
  })

  it('refuses an unknown app id with 401 project_credentials_invalid', async () => {
    const { authenticator } = await setUp()
    expect(await codeOf(authenticator.authenticate(credentials('no-such-app', 'x'), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
  })

  it('refuses a disabled project with 401 project_revoked', async () => {
    const { authenticator } = await setUp({ mercury: { projects: [{ ...APP, enabled: false }] } })
    const error = await rejectionOf(
      authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
    )
    expect(error.code).toBe('project_revoked')
    expect(error.status).toBe(401)
  })

  it('refuses a project that has not enabled this service with 403, naming no service', async () => {
    const { authenticator } = await setUp({
      mercury: { projects: [{ ...APP, enabledServices: [OTHER_SERVICE_ID] }] },
    })
    const error = await rejectionOf(
      authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
    )
    expect(error.code).toBe('insufficient_scope')
    expect(error.status).toBe(403)
    expect(JSON.stringify((error as unknown as { toJSON(): unknown }).toJSON())).not.toContain(
      OTHER_SERVICE_ID,
    )
    expect(error.message).not.toContain(SERVICE_ID)
  })

  it('refuses with 403 when Mercury lists enabled services without this one', async () => {
    const extras = { enabledServices: [OTHER_SERVICE_ID], scopes: ['orders:read'] }
    const { authenticator } = await setUp({ mercury: { projects: [{ ...APP, answerExtras: extras }] } })
    expect(await codeOf(authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID))).toBe(
      'insufficient_scope',
    )
  })

  it('refuses an x-service-id that names another service', async () => {
    const { mercury, authenticator } = await setUp()
    const headers = credentials(APP.appId, APP.appSecret, { 'x-service-id': OTHER_SERVICE_ID })
    expect(await codeOf(authenticator.authenticate(headers, SERVICE_ID))).toBe('insufficient_scope')
    expect(mercury.counts.auth).toBe(0)
  })

  it('answers credentials_missing without app credentials and refuses half a pair without a lookup', async () => {
    const { mercury, authenticator } = await setUp()
    expect(await codeOf(authenticator.authenticate({}, SERVICE_ID))).toBe('credentials_missing')
    expect(await codeOf(authenticator.authenticate({ 'x-app-id': APP.appId }, SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
    expect(await codeOf(authenticator.authenticate(credentials('bad:id', 's'), SERVICE_ID))).toBe(
      'project_credentials_invalid',
    )
    expect(mercury.counts.auth).toBe(0)
  })

  it('serves a known project from cache without calling Mercury again', async () => {
    const { mercury, authenticator } = await setUp()
    for (let i = 0; i < 5; i++)
      await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    expect(mercury.counts.auth).toBe(1)
  })

  it('makes one Mercury call for concurrent requests with the same credentials', async () => {
    const { mercury, authenticator } = await setUp()
    mercury.setMode('slow')
    mercury.slowMs = 100
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
      ),
    )
    expect(new Set(results.map((project) => project.projectUuid)).size).toBe(1)
    expect(mercury.counts.auth).toBe(1)
  })

  it('remembers a refused secret briefly so repeating it does not reach Mercury', async () => {
    const { mercury, authenticator } = await setUp()
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(authenticator.authenticate(credentials(APP.appId, 'guess-1'), SERVICE_ID))).toBe(
        'project_credentials_invalid',
      )
    }
    expect(mercury.counts.auth).toBe(1)
  })

  it('brakes guessing one app id: after the limit, 429 without reaching Mercury', async () => {
    const { mercury, authenticator } = await setUp({ limits: { maxFailuresPerAppId: 5, windowMs: 60_000 } })
    const codes: string[] = []
    for (let i = 0; i < 30; i++) {
      codes.push(await codeOf(authenticator.authenticate(credentials(APP.appId, `guess-${i}`), SERVICE_ID)))
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('project_credentials_invalid'))
    expect(codes.slice(5)).toEqual(Array(25).fill('rate_limited'))
    expect(mercury.counts.auth).toBe(5)
    const limited = await rejectionOf(
      authenticator.authenticate(credentials(APP.appId, 'guess-x'), SERVICE_ID),
    )
    expect(limited.status).toBe(429)
  })

  it('bounds lookups across app ids with the global lookup budget', async () => {
    const { mercury, authenticator } = await setUp({ limits: { lookupsPerSec: 1, lookupBurst: 10 } })
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        codeOf(authenticator.authenticate(credentials(`spray-${i}`, 's'), SERVICE_ID)),
      ),
    )
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThanOrEqual(29)
    expect(mercury.counts.auth).toBeLessThanOrEqual(11)
  })

  it('keeps the secret out of every store key, store value and log line', async () => {
    const { store, logger, authenticator } = await setUp()
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    await codeOf(authenticator.authenticate(credentials(APP.appId, 'other-secret-123'), SERVICE_ID))
    await codeOf(authenticator.authenticate(credentials('unknown-app', 'unknown-secret-456'), SERVICE_ID))
    expect(store.written.length).toBeGreaterThanOrEqual(3)
    for (const secret of [APP.appSecret, 'other-secret-123', 'unknown-secret-456']) {
      expect(store.text()).not.toContain(secret)
      expect(logger.text()).not.toContain(secret)
      // The HMAC identifies the secret for caching; it stays out of logs.
      expect(logger.text()).not.toContain(hashProjectSecret(secret, SIGNING_SECRET))
    }
    expect(
      store.written.some(({ key }) => key.includes(hashProjectSecret(APP.appSecret, SIGNING_SECRET))),
    ).toBe(true)
  })

  it('shares cached projects through the store: a second instance makes no Mercury call', async () => {
    const { mercury, store, client, authenticator } = await setUp()
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    const second = new ProjectAuthenticator({
      signingSecret: SIGNING_SECRET,
      resolvers: [new MercuryProjectResolver({ client })],
      store,
    })
    await second.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    expect(mercury.counts.auth).toBe(1)
  })
})

describe('when Mercury misbehaves', () => {
  it('answers a clean 503 when Mercury refuses our signature (wrong shared secret), and logs why', async () => {
    const { mercury, logger, authenticator } = await setUp({ signingSecret: 'not-the-shared-secret' })
    const error = await rejectionOf(
      authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
    )
    expect(error.code).toBe('auth_unavailable')
    expect(error.status).toBe(503)
    expect(mercury.authCalls[0]?.outcome).toBe('bad_signature')
    expect(logger.lines.some((line) => line.level === 'error' && /signature/i.test(line.message))).toBe(true)
  })

  it('keeps serving a cached project while Mercury is down, and answers 503 for uncached ones', async () => {
    const { mercury, authenticator } = await setUp({
      mercury: { projects: [APP, { appId: 'app-beta', appSecret: 'beta-secret' }] },
    })
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    mercury.setMode('down')
    await expect(
      authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
    ).resolves.toMatchObject({
      appId: APP.appId,
    })
    const error = await rejectionOf(
      authenticator.authenticate(credentials('app-beta', 'beta-secret'), SERVICE_ID),
    )
    expect(error.code).toBe('auth_unavailable')
    expect(error.status).toBe(503)
  })

  it('serves a project past its TTL while Mercury is down, within staleIfError', async () => {
    const { mercury, authenticator } = await setUp({ cache: { ttlMs: 50, staleIfErrorMs: 60_000 } })
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    await new Promise((resolve) => setTimeout(resolve, 80))
    mercury.setMode('error500')
    await expect(
      authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID),
    ).resolves.toMatchObject({
      appId: APP.appId,
    })
    expect(mercury.counts.auth).toBe(2)
  })

  it('answers 503 when Mercury is too slow (timeout), never a pass', async () => {
    const { mercury, authenticator } = await setUp({ client: { timeoutMs: 100 } })
    mercury.setMode('slow')
    mercury.slowMs = 1000
    expect(await codeOf(authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID))).toBe(
      'auth_unavailable',
    )
  })

  it('answers 503 for a body that is not a project', async () => {
    const { mercury, authenticator } = await setUp()
    mercury.setMode('malformed')
    expect(await codeOf(authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID))).toBe(
      'auth_unavailable',
    )
  })

  it('opens the circuit after repeated failures so calls stop reaching Mercury, then half-opens', async () => {
    const { mercury, client, authenticator } = await setUp({
      client: { circuitBreaker: { failureThreshold: 3, resetAfterMs: 300 } },
      limits: { lookupsPerSec: 1000, lookupBurst: 1000 },
    })
    mercury.setMode('error500')
    for (let i = 0; i < 10; i++) {
      expect(await codeOf(authenticator.authenticate(credentials(APP.appId, `s-${i}`), SERVICE_ID))).toBe(
        'auth_unavailable',
      )
    }
    expect(mercury.counts.auth).toBe(3)
    expect(client.circuitState).toBe('open')

    await new Promise((resolve) => setTimeout(resolve, 350))
    expect(client.circuitState).toBe('half-open')
    mercury.setMode('ok')
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    expect(mercury.counts.auth).toBe(4)
    expect(client.circuitState).toBe('closed')
  })

  it('re-opens the circuit when the half-open trial fails', async () => {
    const { mercury, client, authenticator } = await setUp({
      client: { circuitBreaker: { failureThreshold: 2, resetAfterMs: 200 } },
    })
    mercury.setMode('down')
    for (let i = 0; i < 2; i++)
      await codeOf(authenticator.authenticate(credentials(APP.appId, `s-${i}`), SERVICE_ID))
    expect(client.circuitState).toBe('open')
    await new Promise((resolve) => setTimeout(resolve, 250))
    await codeOf(authenticator.authenticate(credentials(APP.appId, 'trial'), SERVICE_ID))
    expect(mercury.counts.auth).toBe(3)
    expect(client.circuitState).toBe('open')
  })

  it('does not let bad credentials open the circuit', async () => {
    const { mercury, client, authenticator } = await setUp({
      client: { circuitBreaker: { failureThreshold: 2, resetAfterMs: 60_000 } },
    })
    for (let i = 0; i < 6; i++)
      await codeOf(authenticator.authenticate(credentials(`app-${i}`, 'x'), SERVICE_ID))
    expect(client.circuitState).toBe('closed')
    await authenticator.authenticate(credentials(APP.appId, APP.appSecret), SERVICE_ID)
    expect(mercury.counts.auth).toBe(7)
  })
})
