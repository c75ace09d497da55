import { type RedisSentinel, startRedisSentinel } from '@portcullis/testing'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { within } from './redis-setup.js'

describe('through Redis Sentinel', () => {
  let sentinel: RedisSentinel
  beforeAll(async () => {
    sentinel = await startRedisSentinel()
  }, 20_000)
  afterAll(() => sentinel?.close())

  it('finds the master through Sentinel and shares revocations', async () => {
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const redis = { sentinel: { sentinels: sentinel.sentinels.map((s) => ({ ...s })), name: sentinel.name } }
    const a = authFor(issuer, {}, { redis })
    const b = authFor(issuer, {}, { redis })
    await Promise.all([a.ready(), b.ready()])
    const token = await issuer.sign({ jti: 'via-sentinel' })
    await b.authenticate(bearer(token))
    await a.revoke.token('via-sentinel', Math.floor(Date.now() / 1000) + 60)
    await within(100, async () => (await outcome(b.authenticate(bearer(token)))) === 'token_revoked')
  })
})
