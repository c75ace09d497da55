import { type RedisCluster, startRedisCluster } from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { within } from './redis-setup.js'

describe('on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster
  beforeAll(async () => {
    cluster = await startRedisCluster(3)
  }, 30_000)
  afterAll(() => cluster?.close())

  it('behaves as on a standalone server: shared revocation, undo, subject cut-offs, one JWKS fetch', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const redis = { cluster: { nodes: cluster.nodes.map((node) => ({ ...node })) } }
    const a = authFor(issuer, { jwksUri: issuer.jwksUri }, { redis })
    const b = authFor(issuer, { jwksUri: issuer.jwksUri }, { redis })
    await Promise.all([a.ready(), b.ready()])
    expect(issuer.counts.jwks).toBe(1)

    // Many ids so the keys land on every master.
    const tokens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => issuer.sign({ jti: `c-${i}`, sub: `user-${i}` })),
    )
    for (const token of tokens) await b.authenticate(bearer(token))
    for (let i = 0; i < 12; i++) await a.revoke.token(`c-${i}`, Math.floor(Date.now() / 1000) + 300)
    await within(500, async () => {
      const outcomes = await Promise.all(tokens.map((token) => outcome(b.authenticate(bearer(token)))))
      return outcomes.every((o) => o === 'token_revoked')
    })
    await a.revoke.undoToken('c-3')
    await within(500, async () => (await outcome(b.authenticate(bearer(tokens[3] as string)))) === 'ok')

    const old = await issuer.sign({ sub: 'subject-x', iat: Math.floor(Date.now() / 1000) - 60 })
    await a.revoke.subject('subject-x', new Date(Date.now() - 1000))
    await within(500, async () => (await outcome(b.authenticate(bearer(old)))) === 'token_revoked')

    // A newcomer rebuilds its view by scanning every master.
    const c = authFor(issuer, { jwksUri: issuer.jwksUri }, { redis })
    await c.ready()
    expect(await outcome(c.authenticate(bearer(tokens[5] as string)))).toBe('token_revoked')
    expect(await outcome(c.authenticate(bearer(tokens[3] as string)))).toBe('ok')
  }, 30_000)
})
