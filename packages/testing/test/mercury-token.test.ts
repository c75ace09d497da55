import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MERCURY_TEST_PROJECT_UUID,
  MERCURY_TEST_USER,
  mintMercuryToken,
  startTestIssuer,
  type TestIssuer,
} from '../src/index.js'
import { decodeSegment } from './decode-token.js'

describe('mintMercuryToken', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await startTestIssuer()
  })
  afterAll(() => issuer.close())

  it('mints the Mercury claim shape, signed RS512 with the issuer key, verifiable by jose', async () => {
    const token = await mintMercuryToken(issuer)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS512', typ: 'JWT', kid: issuer.key('RS512').kid })

    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.url,
      audience: 'https://api.test',
      algorithms: ['RS512'],
    })
    expect(Object.keys(payload).sort()).toEqual(
      ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'project_uuid', 'sub', 'type'].sort(),
    )
    expect(payload).toMatchObject({
      sub: { ...MERCURY_TEST_USER },
      project_uuid: MERCURY_TEST_PROJECT_UUID,
      type: 'access',
      iss: issuer.url,
      aud: 'https://api.test',
    })
    expect(payload.nbf).toBe(payload.iat)
    expect(payload.exp).toBe((payload.iat as number) + 300)
  })

  it('takes the user, project, lifetime and extra claims', async () => {
    const token = await mintMercuryToken(
      issuer,
      { email: 'grace@example.test' },
      { projectUuid: 'p-2', expiresIn: 60, claims: { type: 'refresh', jti: undefined, roles: ['admin'] } },
    )
    const payload = decodeSegment(token, 1)
    expect(payload.sub).toEqual({ ...MERCURY_TEST_USER, email: 'grace@example.test' })
    expect(payload).toMatchObject({ project_uuid: 'p-2', type: 'refresh', roles: ['admin'] })
    expect(payload).not.toHaveProperty('jti')
    expect(payload.exp).toBe((payload.iat as number) + 60)
  })

  it('signs with the newest RS512 key after a rotation, or with a given kid', async () => {
    const old = issuer.key('RS512')
    const fresh = issuer.rotate('RS512')
    expect(decodeProtectedHeader(await mintMercuryToken(issuer)).kid).toBe(fresh.kid)
    expect(decodeProtectedHeader(await mintMercuryToken(issuer, {}, { kid: old.kid })).kid).toBe(old.kid)
  })
})
