import { makeExecutableSchema } from '@graphql-tools/schema'
import type { Auth } from '@portcullis/core'
import { type RedisServer, startRedisServer, type TestIssuer } from '@portcullis/testing'
import { createYoga } from 'graphql-yoga'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  usePortcullis,
} from '../src/index.js'
import { TestEventSource } from './event-source.js'
import { authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'
import { appHeaders, mercuryForFile, PROJECT_A, projectConfig } from './projects.js'
import { subscribeOverSse } from './sse.js'

const mercury = mercuryForFile()
let redis: RedisServer
let issuer: TestIssuer
let ticks: TestEventSource<number>

beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(() => redis.close())

beforeEach(async () => {
  issuer = await issuerForTest()
  ticks = new TestEventSource<number>()
})

let instances = 0

/** Two instances of one service sharing Redis (a key prefix of their own), as behind a load balancer. */
async function twoInstances(): Promise<{ a: Auth; b: Auth }> {
  const keyPrefix = `pair-${++instances}:`
  const config = projectConfig(mercury.current, { redis: { url: redis.url, keyPrefix } })
  const a = authFor(issuer, config).auth
  const b = authFor(issuer, config).auth
  await Promise.all([a.ready(), b.ready()])
  return { a, b }
}

async function serveInstance(auth: Auth): Promise<string> {
  const schema = makeExecutableSchema<PortcullisContext>({
    typeDefs: [
      portcullisDirectiveTypeDefs,
      /* GraphQL */ `
        type Query { secret: String! @jwtAuth, project: String! @projectAuth }
        type Subscription { projectTicks: Int! @projectAuth }
      `,
    ],
    resolvers: {
      Query: {
        secret: () => 'the secret',
        project: (_: unknown, __: unknown, context: PortcullisContext) => context.project?.projectUuid,
      },
      Subscription: { projectTicks: { subscribe: () => ticks.subscribe(), resolve: (n: number) => n } },
    },
  })
  const yoga = createYoga({
    schema: applyPortcullisDirectives(schema),
    plugins: [usePortcullis(auth)],
    logging: false,
  })
  return (await serve(yoga)).url
}

/** Polls until `check` passes; the milliseconds it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`condition not met within ${ms} ms`)
}

describe('revocation shared through Redis', () => {
  it('a token revoked on one instance is refused by another within 100 ms', async () => {
    const { a, b } = await twoInstances()
    const url = await serveInstance(b)
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await issuer.sign({ jti: 'jti-shared', exp })
    expect((await postGraphQL(url, '{ secret }', { token })).body).toEqual({ data: { secret: 'the secret' } })

    await a.revoke.token('jti-shared', exp)
    await within(100, async () => (await postGraphQL(url, '{ secret }', { token })).status === 401)
    const refused = await postGraphQL(url, '{ secret }', { token })
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(errorCodes(refused.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'token_revoked', path: 'secret' },
    ])
  })

  it('a project revoked on one instance ends its subscription on another', async () => {
    const { a, b } = await twoInstances()
    const url = await serveInstance(b)
    const stream = await subscribeOverSse(url, 'subscription { projectTicks }', {
      headers: appHeaders('app-a', 'secret-a'),
    })
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(1)
    expect(JSON.parse((await stream.nextEvent()).data)).toEqual({ data: { projectTicks: 1 } })

    await a.revoke.project(PROJECT_A)
    await within(100, async () => {
      const { status } = await postGraphQL(url, '{ project }', { headers: appHeaders('app-a', 'secret-a') })
      return status === 401
    })
    ticks.publish(2)
    expect(errorCodes(JSON.parse((await stream.nextEvent()).data))).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_revoked' },
    ])
    expect((await stream.nextEvent()).event).toBe('complete')
  })
})
