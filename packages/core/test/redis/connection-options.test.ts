import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createAuth } from '../../src/index.js'
import { AUDIENCE, authFor, bearer, issuerForTest, outcome } from '../setup.js'
import { redisForTest, within } from './redis-setup.js'

describe('Redis connection options', () => {
  it('uses an existing ioredis client and leaves it open on close', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const client = new Redis(redis.url)
    try {
      const a = authFor(issuer, {}, { redis: { client } })
      const b = authFor(issuer, {}, { redis: { url: redis.url } })
      await Promise.all([a.ready(), b.ready()])
      const token = await issuer.sign({ jti: 'own-client' })
      await b.authenticate(bearer(token))
      await a.revoke.token('own-client', Math.floor(Date.now() / 1000) + 60)
      await within(100, async () => (await outcome(b.authenticate(bearer(token)))) === 'token_revoked')
      await a.close()
      expect(await client.ping()).toBe('PONG')
    } finally {
      client.disconnect()
    }
  })

  it('uses a custom key prefix for every key', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const auth = authFor(issuer, {}, { redis: { url: redis.url, keyPrefix: 'svc-a:' } })
    await auth.ready()
    await auth.revoke.token('p-1', Math.floor(Date.now() / 1000) + 60)
    const raw = new Redis(redis.url)
    try {
      expect(await raw.exists('svc-a:revoked:jti:p-1')).toBe(1)
      expect(await raw.keys('portcullis:*')).toEqual([])
    } finally {
      raw.disconnect()
    }
  })

  it('never logs a token or a claim value, through outages and failures', async () => {
    const redis = await redisForTest()
    const issuer = await issuerForTest({ algs: ['ES256'] })
    const lines: string[] = []
    const capture = (level: string) => (object: Record<string, unknown>, message: string) =>
      lines.push(`${level} ${message} ${JSON.stringify(object)}`)
    const logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    }
    const auth = createAuth(
      { audience: AUDIENCE, issuers: [{ issuer: issuer.url }], redis: { url: redis.url, maxStaleMs: 100 } },
      { logger },
    )
    await auth.ready()
    const token = await issuer.sign({
      sub: 'secret-subject-42',
      email: 'hidden@example.com',
      jti: 'jti-secret-7',
    })
    await auth.authenticate(bearer(token))
    await outcome(auth.authenticate(bearer(`${token.slice(0, -3)}AAA`)))
    await redis.kill()
    await auth.revoke.token('jti-secret-7', Math.floor(Date.now() / 1000) + 60)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await outcome(auth.authenticate(bearer(token)))
    await redis.start()
    await within(4000, async () => (await outcome(auth.authenticate(bearer(token)))) === 'token_revoked')
    await auth.close()
    const all = lines.join('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const secret of [
      token,
      token.split('.')[1] as string,
      token.split('.')[2] as string,
      'secret-subject-42',
      'hidden@example.com',
      'jti-secret-7',
    ]) {
      expect(all).not.toContain(secret)
    }
  })
})
