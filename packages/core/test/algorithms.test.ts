import { TEST_ALGS, type TestAlg } from '@portcullis/testing'
import { describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest } from './setup.js'

describe('every supported JOSE asymmetric algorithm', () => {
  it.each(TEST_ALGS)('verifies a %s token against the issuer JWKS', async (alg: TestAlg) => {
    const issuer = await issuerForTest({ algs: [alg] })
    const auth = authFor(issuer)
    const token = await issuer.sign({ sub: 'alice' }, { alg })
    const result = await auth.authenticate(bearer(token))
    expect(result.user?.subject).toBe('alice')
    expect(result.issuer).toBe(issuer.url)
  })

  it('accepts RS512 Mercury-style tokens with the mercury preset defaults', async () => {
    const issuer = await issuerForTest({ algs: ['RS512', 'RS256'] })
    const auth = authFor(issuer, { preset: 'mercury' })
    const rs256 = await issuer.sign(
      { sub: { uuid: 'u-1', email: 'a@b.co', name: 'A' }, type: 'access' },
      { alg: 'RS256' },
    )
    await expect(auth.authenticate(bearer(rs256))).rejects.toMatchObject({
      code: 'token_algorithm_not_allowed',
    })
    const rs512 = await issuer.sign(
      { sub: { uuid: 'u-1', email: 'a@b.co', name: 'A' }, type: 'access' },
      { alg: 'RS512' },
    )
    await expect(auth.authenticate(bearer(rs512))).resolves.toMatchObject({ user: { subject: 'u-1' } })
  })
})
