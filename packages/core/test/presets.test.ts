import { mintMercuryToken } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, rejectionCode } from './setup.js'

describe('provider presets map claims to a User', () => {
  it('mercury: user from the sub object, project from project_uuid, type must be access', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const auth = authFor(issuer, { preset: 'mercury' })
    const token = await mintMercuryToken(
      issuer,
      { uuid: 'u-42', email: 'ada@example.com', name: 'Ada' },
      { projectUuid: 'p-7' },
    )
    const { user } = await auth.authenticate(bearer(token))
    expect(user).toMatchObject({
      id: 'ada@example.com',
      subject: 'u-42',
      email: 'ada@example.com',
      name: 'Ada',
      projectUuid: 'p-7',
    })

    const refresh = await mintMercuryToken(issuer, {}, { claims: { type: 'refresh' } })
    expect(await rejectionCode(auth.authenticate(bearer(refresh)))).toBe('token_type_invalid')
    const badSub = await issuer.sign({ sub: { email: 'no-uuid@example.com' }, type: 'access' })
    expect(await rejectionCode(auth.authenticate(bearer(badSub)))).toBe('token_claims_invalid')
    const stringSub = await issuer.sign({ sub: 'plain', type: 'access' })
    expect(await rejectionCode(auth.authenticate(bearer(stringSub)))).toBe('token_claims_invalid')
  })

  it('generic: canonical id is email, then preferred_username, then upn, then sub; scopes from every claim', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer)
    const cases: [Record<string, unknown>, string][] = [
      [{ sub: 's', email: 'e@x.io', preferred_username: 'p', upn: 'u' }, 'e@x.io'],
      [{ sub: 's', preferred_username: 'p', upn: 'u' }, 'p'],
      [{ sub: 's', upn: 'u' }, 'u'],
      [{ sub: 's' }, 's'],
    ]
    for (const [claims, id] of cases) {
      const { user } = await auth.authenticate(bearer(await issuer.sign(claims)))
      expect(user?.id).toBe(id)
    }
    const scoped = await issuer.sign({
      scope: 'a b',
      scp: ['c'],
      scopes: ['d'],
      permissions: ['svc:res:read'],
    })
    const { user } = await auth.authenticate(bearer(scoped))
    expect([...(user?.scopes ?? [])].sort()).toEqual(['a', 'b', 'c', 'd', 'svc:res:read'])
  })

  it('google: the email is the id only once verified; hd is the tenant', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(issuer, { preset: 'google', issuer: issuer.url })
    const verified = await issuer.sign(
      { sub: '1071', email: 'ada@corp.com', email_verified: true, hd: 'corp.com' },
      { alg: 'RS256' },
    )
    expect((await auth.authenticate(bearer(verified))).user).toMatchObject({
      id: 'ada@corp.com',
      emailVerified: true,
      tenant: 'corp.com',
    })
    const unverified = await issuer.sign(
      { sub: '1072', email: 'eve@corp.com', email_verified: false },
      { alg: 'RS256' },
    )
    expect((await auth.authenticate(bearer(unverified))).user).toMatchObject({
      id: '1072',
      email: 'eve@corp.com',
    })
  })

  it('entra: tid must match the tenant; id from preferred_username or upn, not the editable email', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(issuer, { preset: 'entra', issuer: issuer.url, tenantId: 'tenant-a' })
    const good = await issuer.sign(
      { tid: 'tenant-a', preferred_username: 'ada@corp.com', email: 'x@evil.com', scp: 'read write' },
      { alg: 'RS256' },
    )
    const { user } = await auth.authenticate(bearer(good))
    expect(user).toMatchObject({ id: 'ada@corp.com', tenant: 'tenant-a', scopes: ['read', 'write'] })
    const upnOnly = await issuer.sign({ tid: 'tenant-a', upn: 'bob@corp.com' }, { alg: 'RS256' })
    expect((await auth.authenticate(bearer(upnOnly))).user?.id).toBe('bob@corp.com')
    const otherTenant = await issuer.sign(
      { tid: 'tenant-b', preferred_username: 'mallory@corp.com' },
      { alg: 'RS256' },
    )
    expect(await rejectionCode(auth.authenticate(bearer(otherTenant)))).toBe('token_claims_invalid')
  })

  it('entra and cognito derive their issuer from tenant, region and user pool', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    // Keys come from the local issuer, so nothing leaves the machine.
    const entra = authFor(issuer, {
      preset: 'entra',
      issuer: undefined,
      tenantId: 'contoso',
      jwksUri: issuer.jwksUri,
    })
    const entraToken = await issuer.sign(
      { iss: 'https://login.microsoftonline.com/contoso/v2.0', tid: 'contoso' },
      { alg: 'RS256' },
    )
    await expect(entra.authenticate(bearer(entraToken))).resolves.toMatchObject({
      issuer: 'https://login.microsoftonline.com/contoso/v2.0',
    })
    const cognito = authFor(issuer, {
      preset: 'cognito',
      issuer: undefined,
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_abc',
      audience: 'client-1',
      jwksUri: issuer.jwksUri,
    })
    const cognitoToken = await issuer.sign(
      {
        iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        token_use: 'access',
        client_id: 'client-1',
      },
      { alg: 'RS256' },
    )
    await expect(cognito.authenticate(bearer(cognitoToken))).resolves.toBeTruthy()
    expect(() => authFor(issuer, { preset: 'cognito', issuer: undefined, region: 'eu-west-1' })).toThrow(
      /issuers\[0\]\.issuer/,
    )
  })

  it('cognito: token_use must match, access tokens are checked by client_id, username is the id fallback', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    const auth = authFor(issuer, { preset: 'cognito', issuer: issuer.url, audience: 'client-1' })
    const access = await issuer.sign(
      { aud: undefined, token_use: 'access', client_id: 'client-1', username: 'ada', scope: 'orders/read' },
      { alg: 'RS256' },
    )
    expect((await auth.authenticate(bearer(access))).user).toMatchObject({
      id: 'ada',
      scopes: ['orders/read'],
    })
    const wrongClient = await issuer.sign(
      { aud: undefined, token_use: 'access', client_id: 'client-2' },
      { alg: 'RS256' },
    )
    expect(await rejectionCode(auth.authenticate(bearer(wrongClient)))).toBe('token_claims_invalid')
    const idToken = await issuer.sign({ aud: 'client-1', token_use: 'id' }, { alg: 'RS256' })
    expect(await rejectionCode(auth.authenticate(bearer(idToken)))).toBe('token_claims_invalid')

    const idAuth = authFor(issuer, {
      preset: 'cognito',
      issuer: issuer.url,
      audience: 'client-1',
      tokenUse: 'id',
    })
    const withEmail = await issuer.sign(
      { aud: 'client-1', token_use: 'id', email: 'ada@corp.com' },
      { alg: 'RS256' },
    )
    expect((await idAuth.authenticate(bearer(withEmail))).user?.id).toBe('ada@corp.com')
  })

  it('auth0, okta and duo: standard claims with the organisation as tenant', async () => {
    const issuer = await issuerForTest({ algs: ['RS256'] })
    for (const preset of ['auth0', 'okta', 'duo'] as const) {
      const auth = authFor(issuer, { preset })
      const token = await issuer.sign(
        { email: 'ada@corp.com', org_id: 'org_1', permissions: ['read:orders'] },
        { alg: 'RS256' },
      )
      expect((await auth.authenticate(bearer(token))).user).toMatchObject({
        id: 'ada@corp.com',
        tenant: 'org_1',
        scopes: ['read:orders'],
      })
      // Presets default to RS256 only.
      const es = await issuerForTest({ algs: ['ES256'] })
      const esAuth = authFor(es, { preset })
      expect(await rejectionCode(esAuth.authenticate(bearer(await es.sign())))).toBe(
        'token_algorithm_not_allowed',
      )
    }
  })
})
