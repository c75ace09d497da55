import { describe, expect, it } from 'vitest'
import type { AuthError } from '../../src/index.js'
import { authFor, issuerForTest, outcome } from '../setup.js'
import { appHeaders, mercuryForTest, projectConfig, request, SERVICE_ID } from './modes-setup.js'

describe('project mode (app credentials through Mercury)', () => {
  it('authenticates app credentials, refuses wrong ones, and answers 403 when this service is not enabled', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({
      projects: [
        { appId: 'app-1', appSecret: 's3cret-1', projectName: 'One', enabledServices: [SERVICE_ID] },
        { appId: 'app-2', appSecret: 's3cret-2', enabledServices: ['svc-other'] },
      ],
    })
    const auth = authFor(issuer, {}, projectConfig(mercury))
    const policy = auth.policy({ mode: 'project' })
    const ok = await auth.authenticate(request(appHeaders('app-1', 's3cret-1')), policy)
    expect(ok.project).toMatchObject({ tokenType: 'credentials', projectName: 'One', appId: 'app-1' })
    expect(ok.user).toBeUndefined()
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'wrong')), policy))).toBe(
      'project_credentials_invalid',
    )
    expect(await outcome(auth.authenticate(request(appHeaders('nobody', 'x')), policy))).toBe(
      'project_credentials_invalid',
    )
    const forbidden = (await auth
      .authenticate(request(appHeaders('app-2', 's3cret-2')), policy)
      .catch((e) => e)) as AuthError
    expect(forbidden).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect(JSON.stringify(forbidden.toJSON())).not.toContain('svc-other')
    expect(await outcome(auth.authenticate(request({}), policy))).toBe('credentials_missing')
  })

  it('caches a project: Mercury is asked once, and a revoked project is refused at once', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({
      projects: [{ appId: 'app-1', appSecret: 'pw-1', enabledServices: [SERVICE_ID] }],
    })
    const auth = authFor(issuer, {}, projectConfig(mercury))
    const policy = auth.policy({ mode: 'project' })
    let uuid = ''
    for (let i = 0; i < 5; i++)
      uuid =
        (await auth.authenticate(request(appHeaders('app-1', 'pw-1')), policy)).project?.projectUuid ?? ''
    expect(mercury.counts.auth).toBe(1)
    await auth.revoke.project(uuid)
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'pw-1')), policy))).toBe(
      'project_revoked',
    )
    await auth.revoke.undoProject(uuid)
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'pw-1')), policy))).toBe('ok')
  })

  it('keeps a cached project working while Mercury is down, and answers 503 for an uncached one', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({
      projects: [
        { appId: 'app-1', appSecret: 'pw-1', enabledServices: [SERVICE_ID] },
        { appId: 'app-2', appSecret: 'pw-2', enabledServices: [SERVICE_ID] },
      ],
    })
    const auth = authFor(
      issuer,
      {},
      projectConfig(mercury, {
        mercury: {
          baseUrl: mercury.url,
          retries: 0,
          timeoutMs: 500,
          projectTokens: { tokenLiveness: 'off' },
        },
      }),
    )
    const policy = auth.policy({ mode: 'project' })
    await auth.authenticate(request(appHeaders('app-1', 'pw-1')), policy)
    mercury.setMode('down')
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'pw-1')), policy))).toBe('ok')
    const down = (await auth
      .authenticate(request(appHeaders('app-2', 'pw-2')), policy)
      .catch((e) => e)) as AuthError
    expect(down).toMatchObject({ code: 'auth_unavailable', status: 503 })
  })

  it('answers 503, not 401 or 500, when Mercury refuses our own request signature', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({ projects: [{ appId: 'app-1', appSecret: 'pw-1' }] })
    const auth = authFor(
      issuer,
      {},
      { ...projectConfig(mercury), projects: { signingSecret: 'not-the-secret-mercury-expects' } },
    )
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'pw-1')), { mode: 'project' }))).toBe(
      'auth_unavailable',
    )
  })

  it('accepts Mercury project tokens verified against the tenant key set, and service tokens only where allowed', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest({
      projects: [{ appId: 'app-1', appSecret: 'pw-1', enabledServices: [SERVICE_ID] }],
    })
    const tenant = mercury.addTenant()
    const auth = authFor(issuer, {}, projectConfig(mercury))
    const token = mercury.mintProjectToken(tenant, { enabledServices: [SERVICE_ID], scopes: ['orders:read'] })
    const result = await auth.authenticate(request({ 'x-project-token': `Bearer ${token}` }), {
      mode: 'project',
    })
    expect(result.project).toMatchObject({
      tokenType: 'project',
      projectUuid: tenant,
      scopes: ['orders:read'],
    })
    expect(mercury.jwksFetches(tenant)).toBe(1)

    const service = mercury.mintServiceToken({ clientId: 'billing', scope: 'orders:read' })
    const servicesOnly = auth.policy({ mode: 'project', projectKinds: ['service'] })
    await expect(
      auth.authenticate(request({ 'x-project-token': service }), servicesOnly),
    ).resolves.toMatchObject({
      project: { tokenType: 'service', clientId: 'billing' },
    })
    expect(await outcome(auth.authenticate(request({ 'x-project-token': token }), servicesOnly))).toBe(
      'access_denied',
    )
    expect(await outcome(auth.authenticate(request(appHeaders('app-1', 'pw-1')), servicesOnly))).toBe(
      'access_denied',
    )
  })

  it('requires project scopes in project mode', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest()
    const tenant = mercury.addTenant()
    const auth = authFor(issuer, {}, projectConfig(mercury))
    const token = mercury.mintProjectToken(tenant, { enabledServices: [SERVICE_ID], scopes: ['orders:read'] })
    expect(
      await outcome(
        auth.authenticate(request({ 'x-project-token': token }), {
          mode: 'project',
          scopes: ['orders:read'],
        }),
      ),
    ).toBe('ok')
    expect(
      await outcome(
        auth.authenticate(request({ 'x-project-token': token }), {
          mode: 'project',
          scopes: ['orders:write'],
        }),
      ),
    ).toBe('insufficient_scope')
  })

  it('refuses project modes at policy time when project authentication is not configured', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const auth = authFor(issuer)
    expect(() => auth.policy({ mode: 'project' })).toThrow(/needs project authentication/)
    expect(() => authFor(issuer, {}, { projects: { signingSecret: 'x' } })).toThrow(/service/)
  })
})

describe('project token liveness needs Mercury’s Redis', () => {
  it('fails at start-up, naming the setting, when allowlist liveness has no Redis to read', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const mercury = await mercuryForTest()
    expect(() =>
      authFor(issuer, {}, { ...projectConfig(mercury), mercury: { baseUrl: mercury.url } }),
    ).toThrow(/mercury\.projectTokens: tokenLiveness 'allowlist' reads Mercury's Redis/)
    // App credentials alone need no Redis.
    const auth = authFor(
      issuer,
      {},
      {
        ...projectConfig(mercury),
        mercury: { baseUrl: mercury.url, projectTokens: { enabled: false } },
      },
    )
    expect(() => auth.policy({ mode: 'project' })).not.toThrow()
  })
})
