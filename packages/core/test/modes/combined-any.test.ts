import { mintMercuryToken } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { authFor, issuerForTest, outcome } from '../setup.js'
import { appHeaders, mercuryForTest, projectConfig, request, SERVICE_ID } from './modes-setup.js'

async function setup() {
  const issuer = await issuerForTest({ algs: ['RS512'] })
  const mercury = await mercuryForTest({
    projects: [
      {
        appId: 'app-a',
        appSecret: 'pw-a',
        projectUuid: '11111111-1111-4111-8111-111111111111',
        enabledServices: [SERVICE_ID],
      },
      {
        appId: 'app-b',
        appSecret: 'pw-b',
        projectUuid: '22222222-2222-4222-8222-222222222222',
        enabledServices: [SERVICE_ID],
      },
    ],
  })
  const auth = authFor(issuer, { preset: 'mercury' }, projectConfig(mercury))
  return { issuer, mercury, auth }
}

describe('combined mode', () => {
  it('needs both the user token and the project, and any failure of either fails the request', async () => {
    const { issuer, auth } = await setup()
    const token = await mintMercuryToken(issuer, {}, { projectUuid: '11111111-1111-4111-8111-111111111111' })
    const both = { authorization: `Bearer ${token}`, ...appHeaders('app-a', 'pw-a') }
    const result = await auth.authenticate(request(both), { mode: 'combined' })
    expect(result.user?.subject).toBeTruthy()
    expect(result.project?.projectUuid).toBe('11111111-1111-4111-8111-111111111111')
    expect(
      await outcome(auth.authenticate(request({ authorization: `Bearer ${token}` }), { mode: 'combined' })),
    ).toBe('credentials_missing')
    expect(await outcome(auth.authenticate(request(appHeaders('app-a', 'pw-a')), { mode: 'combined' }))).toBe(
      'credentials_missing',
    )
    const wrongSecret = { authorization: `Bearer ${token}`, ...appHeaders('app-a', 'nope') }
    expect(await outcome(auth.authenticate(request(wrongSecret), { mode: 'combined' }))).toBe(
      'project_credentials_invalid',
    )
  })

  it('refuses a user token bound to another project', async () => {
    const { issuer, auth } = await setup()
    const token = await mintMercuryToken(issuer, {}, { projectUuid: '11111111-1111-4111-8111-111111111111' })
    const mismatched = { authorization: `Bearer ${token}`, ...appHeaders('app-b', 'pw-b') }
    expect(await outcome(auth.authenticate(request(mismatched), { mode: 'combined' }))).toBe('access_denied')
  })

  it('requires scopes of the user and of the project separately, pooling them only when asked', async () => {
    const { issuer, mercury, auth } = await setup()
    const tenant = '11111111-1111-4111-8111-111111111111'
    const userToken = await mintMercuryToken(
      issuer,
      {},
      { projectUuid: tenant, claims: { scope: 'orders:read' } },
    )
    const projectToken = mercury.mintProjectToken(tenant, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:write'],
    })
    const headers = request({ authorization: `Bearer ${userToken}`, 'x-project-token': projectToken })
    expect(
      await outcome(
        auth.authenticate(headers, {
          mode: 'combined',
          userScopes: ['orders:read'],
          projectScopes: ['orders:write'],
        }),
      ),
    ).toBe('ok')
    expect(await outcome(auth.authenticate(headers, { mode: 'combined', scopes: ['orders:read'] }))).toBe(
      'insufficient_scope',
    )
    expect(
      await outcome(
        auth.authenticate(headers, {
          mode: 'combined',
          scopes: ['orders:read', 'orders:write'],
          mergeScopes: true,
        }),
      ),
    ).toBe('ok')
  })
})

describe('any mode', () => {
  it('takes whichever credential is present, checks both when both are, and lets optional routes be anonymous', async () => {
    const { issuer, auth } = await setup()
    const token = await mintMercuryToken(issuer, {}, { projectUuid: '11111111-1111-4111-8111-111111111111' })
    const any = auth.policy({ mode: 'any' })
    expect(
      (await auth.authenticate(request({ authorization: `Bearer ${token}` }), any)).project,
    ).toBeUndefined()
    expect((await auth.authenticate(request(appHeaders('app-a', 'pw-a')), any)).user).toBeUndefined()
    const both = await auth.authenticate(
      request({ authorization: `Bearer ${token}`, ...appHeaders('app-a', 'pw-a') }),
      any,
    )
    expect(both.user && both.project).toBeTruthy()
    // Both present: a bad project fails the request even though the token is good.
    expect(
      await outcome(
        auth.authenticate(request({ authorization: `Bearer ${token}`, ...appHeaders('app-a', 'bad') }), any),
      ),
    ).toBe('project_credentials_invalid')
    expect(await outcome(auth.authenticate(request({}), any))).toBe('credentials_missing')
    expect(await auth.authenticate(request({}), { mode: 'any', optional: true })).toEqual({})
    expect(
      await outcome(auth.authenticate(request(appHeaders('app-a', 'bad')), { mode: 'any', optional: true })),
    ).toBe('project_credentials_invalid')
  })
})

describe('allow rules through createAuth', () => {
  it('applies global and per-route rules after a valid token, as 403 access_denied', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { allow: { allowedDomains: ['corp.com'] } })
    const ok = await issuer.sign({ email: 'ada@corp.com', email_verified: true })
    const evil = await issuer.sign({ email: 'eve@corp.com.evil.org', email_verified: true })
    expect(await outcome(auth.authenticate(request({ authorization: `Bearer ${ok}` })))).toBe('ok')
    expect(await outcome(auth.authenticate(request({ authorization: `Bearer ${evil}` })))).toBe(
      'access_denied',
    )
    const onlyBob = auth.policy({ allow: { allowedUsers: ['bob@corp.com'] } })
    expect(await outcome(auth.authenticate(request({ authorization: `Bearer ${ok}` }), onlyBob))).toBe(
      'access_denied',
    )
  })

  it('refuses an unsafe regex when the config is loaded', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    expect(() => authFor(issuer, {}, { allow: { allowedUserRegex: ['^(a+)+$'] } })).toThrow(
      /allowedUserRegex|pattern|safe/i,
    )
  })
})
