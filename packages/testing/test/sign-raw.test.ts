import { createHmac, verify } from 'node:crypto'
import { compactVerify, importJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCompactJws, generateTestKey, startTestIssuer, type TestIssuer } from '../src/index.js'

function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.')
  return [header, payload, signature]
}

function decodeText(segment: string): string {
  return Buffer.from(segment, 'base64url').toString('utf8')
}

describe('signRaw', () => {
  let issuer: TestIssuer
  beforeAll(async () => {
    issuer = await startTestIssuer({ algs: ['RS512', 'ES256'] })
  })
  afterAll(() => issuer.close())

  it('uses a raw string payload verbatim, duplicate keys and huge numbers included, and signs it', async () => {
    const rawPayload = '{"sub":"a","sub":"b","exp":1e400}'
    const token = issuer.signRaw({ alg: 'RS512', kid: issuer.key('RS512').kid }, rawPayload)
    expect(decodeText(segments(token)[1])).toBe(rawPayload)

    const { payload } = await compactVerify(token, await importJWK(issuer.key('RS512').publicJwk, 'RS512'))
    expect(new TextDecoder().decode(payload)).toBe(rawPayload)
  })

  it('uses a raw string header verbatim', () => {
    const rawHeader = '{"alg":"RS512","alg":"none"}'
    expect(decodeText(segments(issuer.signRaw(rawHeader, {}))[0])).toBe(rawHeader)
  })

  it('picks the key named by the header kid, else by the header alg', async () => {
    const es = issuer.key('ES256')
    const byKid = issuer.signRaw({ alg: 'ES256', kid: es.kid }, { sub: 'x' })
    await expect(compactVerify(byKid, es.publicKey)).resolves.toBeTruthy()
    const byAlg = issuer.signRaw({ alg: 'ES256' }, { sub: 'x' })
    await expect(compactVerify(byAlg, es.publicKey)).resolves.toBeTruthy()
  })

  it('signs with an explicit key even if the header claims another alg', () => {
    const rs = issuer.key('RS512')
    const token = issuer.signRaw({ alg: 'ES256' }, { sub: 'x' }, { key: rs })
    const [header, payload, signature] = segments(token)
    const verifiesWithRsKey = verify(
      'sha512',
      Buffer.from(`${header}.${payload}`),
      rs.publicKey,
      Buffer.from(signature, 'base64url'),
    )
    expect(verifiesWithRsKey).toBe(true)
  })

  it('uses a custom signature string verbatim and base64url-encodes a Buffer', () => {
    expect(segments(issuer.signRaw({ alg: 'RS512' }, {}, { signature: 'not*base64' }))[2]).toBe('not*base64')
    expect(segments(issuer.signRaw({ alg: 'RS512' }, {}, { signature: Buffer.from([0xff, 0xfe]) }))[2]).toBe(
      '__4',
    )
  })

  it('builds an unsigned token with an empty signature', () => {
    const token = issuer.signRaw({ alg: 'none' }, { sub: 'x' }, { signature: '' })
    expect(token.endsWith('.')).toBe(true)
    expect(token.split('.')).toHaveLength(3)
  })

  it('signs HS256 with an RSA public PEM as the secret, for algorithm-confusion tests', () => {
    const secret = issuer.key('RS512').publicPem
    const token = issuer.signRaw({ alg: 'HS256', typ: 'JWT' }, { sub: 'x' }, { hmacSecret: secret })
    const [header, payload, signature] = segments(token)
    expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'))
    expect(secret).toMatch(/^-----BEGIN PUBLIC KEY-----/)
  })

  it('refuses to choose between a key and a signature', () => {
    expect(() => issuer.signRaw({}, {}, { key: issuer.key('ES256'), signature: 'x' })).toThrow(/exactly one/)
  })
})

describe('buildCompactJws', () => {
  it('signs without any issuer, for unit tests that need no HTTP', async () => {
    const key = generateTestKey('ES512')
    const token = buildCompactJws({ alg: 'ES512', kid: key.kid }, { sub: 'x' }, { key })
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-521', alg: 'ES512', use: 'sig', kid: key.kid })
    await expect(compactVerify(token, key.publicKey)).resolves.toBeTruthy()
  })
})
