import { makeExecutableSchema } from '@graphql-tools/schema'
import type { TestIssuer } from '@portcullis/testing'
import { createClient } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, type YogaServerInstance } from 'graphql-yoga'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  usePortcullis,
} from '../src/index.js'
import { TestEventSource } from './event-source.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, onCleanup, serve } from './helpers.js'
import { appHeaders, mercuryForFile, PROJECT_A, PROJECT_B, projectConfig, SERVICE_ID } from './projects.js'
import { subscribeOverSse } from './sse.js'

const mercury = mercuryForFile()
let issuer: TestIssuer
let counted: AuthForTest
let ticks: TestEventSource<number>

beforeEach(async () => {
  issuer = await issuerForTest()
  counted = authFor(issuer, projectConfig(mercury.current))
  ticks = new TestEventSource<number>()
})

function yogaServer(): YogaServerInstance<Record<string, unknown>, PortcullisContext> {
  const schema = makeExecutableSchema<PortcullisContext>({
    typeDefs: [
      portcullisDirectiveTypeDefs,
      /* GraphQL */ `
        type Query { hello: String }
        type Subscription {
          ticks: Tick! @jwtAuth
          projectTicks: Tick! @projectAuth
        }
        type Tick { n: Int!, viewer: String! }
      `,
    ],
    resolvers: {
      Subscription: {
        ticks: {
          subscribe: () => ticks.subscribe(),
          resolve: (n: number, _args: unknown, context: PortcullisContext) => ({
            n,
            viewer: context.user?.id,
          }),
        },
        projectTicks: {
          subscribe: () => ticks.subscribe(),
          resolve: (n: number, _args: unknown, context: PortcullisContext) => ({
            n,
            viewer: context.project?.projectUuid,
          }),
        },
      },
    },
  })
  return createYoga({
    schema: applyPortcullisDirectives(schema),
    plugins: [usePortcullis(counted.auth)],
    logging: false,
  })
}

const TICKS = 'subscription { ticks { n viewer } }'
const PROJECT_TICKS = 'subscription { projectTicks { n viewer } }'

describe('subscriptions over SSE', () => {
  it('streams events to a subscriber with a valid token', async () => {
    const { url } = await serve(yogaServer())
    const token = await issuer.sign({ email: 'ada@example.test' })
    const stream = await subscribeOverSse(url, TICKS, { token })
    expect(stream.status).toBe(200)
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(1)
    expect(await stream.nextEvent()).toEqual({
      event: 'next',
      data: JSON.stringify({ data: { ticks: { n: 1, viewer: 'ada@example.test' } } }),
    })
    ticks.publish(2)
    expect(JSON.parse((await stream.nextEvent()).data)).toEqual({
      data: { ticks: { n: 2, viewer: 'ada@example.test' } },
    })
  })

  it('refuses a subscription without credentials with 401 and WWW-Authenticate, never subscribing', async () => {
    const { url } = await serve(yogaServer())
    const stream = await subscribeOverSse(url, TICKS)
    expect(stream.status).toBe(401)
    expect(stream.headers.get('www-authenticate')).toBe('Bearer')
    const event = await stream.nextEvent()
    expect(event.event).toBe('next')
    expect(errorCodes(JSON.parse(event.data))).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'ticks' },
    ])
    expect((await stream.nextEvent()).event).toBe('complete')
    expect(ticks.subscribers).toBe(0)
  })

  it('ends the subscription with an error event once the token is revoked', async () => {
    const { url } = await serve(yogaServer())
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await issuer.sign({ jti: 'jti-subscriber', exp })
    const stream = await subscribeOverSse(url, TICKS, { token })
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(1)
    expect(JSON.parse((await stream.nextEvent()).data)).toMatchObject({ data: { ticks: { n: 1 } } })

    await counted.auth.revoke.token('jti-subscriber', exp)
    ticks.publish(2)
    const last = await stream.nextEvent()
    expect(last.event).toBe('next')
    const body = JSON.parse(last.data)
    expect(body.data).toBeUndefined()
    expect(errorCodes(body)).toEqual([{ code: 'UNAUTHENTICATED', auth: 'token_revoked' }])
    expect(body.errors[0].message).toBe('The access token was revoked.')
    expect((await stream.nextEvent()).event).toBe('complete')
    await vi.waitFor(() => expect(ticks.subscribers).toBe(0))
  })

  it('re-checks the token once per event, not once per field', async () => {
    const { url } = await serve(yogaServer())
    const stream = await subscribeOverSse(url, TICKS, { token: await issuer.sign() })
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    expect(counted.calls()).toBe(1)
    for (const n of [1, 2, 3]) {
      ticks.publish(n)
      await stream.nextEvent()
    }
    expect(counted.calls()).toBe(4)
  })
})

describe('project subscriptions over SSE', () => {
  it('streams to project credentials and ends the stream once the project is revoked', async () => {
    const { url } = await serve(yogaServer())
    const stream = await subscribeOverSse(url, PROJECT_TICKS, { headers: appHeaders('app-a', 'secret-a') })
    expect(stream.status).toBe(200)
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(1)
    expect(JSON.parse((await stream.nextEvent()).data)).toEqual({
      data: { projectTicks: { n: 1, viewer: PROJECT_A } },
    })
    await counted.auth.revoke.project(PROJECT_A)
    ticks.publish(2)
    const last = JSON.parse((await stream.nextEvent()).data)
    expect(errorCodes(last)).toEqual([{ code: 'UNAUTHENTICATED', auth: 'project_revoked' }])
    expect((await stream.nextEvent()).event).toBe('complete')
    await vi.waitFor(() => expect(ticks.subscribers).toBe(0))
  })

  it('refuses a project subscription with a wrong secret with 401, never subscribing', async () => {
    const { url } = await serve(yogaServer())
    const stream = await subscribeOverSse(url, PROJECT_TICKS, { headers: appHeaders('app-a', 'wrong') })
    expect(stream.status).toBe(401)
    expect(errorCodes(JSON.parse((await stream.nextEvent()).data))).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_credentials_invalid', path: 'projectTicks' },
    ])
    expect(ticks.subscribers).toBe(0)
  })
})

describe('subscriptions over graphql-ws', () => {
  async function serveWs() {
    const yoga = yogaServer()
    const { server } = await serve(yoga)
    const wsServer = new WebSocketServer({ server, path: '/graphql' })
    const disposable = useServer(
      {
        execute: (args) => (args.rootValue as Enveloped).execute(args),
        subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
        onSubscribe: async (ctx, _id, payload) => {
          const enveloped = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params: payload,
          })
          const document = enveloped.parse(payload.query)
          const errors = enveloped.validate(enveloped.schema, document)
          if (errors.length > 0) return errors
          return {
            schema: enveloped.schema,
            document,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          }
        },
      },
      wsServer,
    )
    onCleanup(async () => {
      await disposable.dispose()
      await new Promise<void>((resolve) => wsServer.close(() => resolve()))
    })
    const { port } = server.address() as { port: number }
    return `ws://127.0.0.1:${port}/graphql`
  }

  function clientFor(url: string, connectionParams: Record<string, unknown>) {
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 })
    onCleanup(() => client.dispose())
    return client
  }

  it('reads the bearer token from connectionParams.authorization', async () => {
    const url = await serveWs()
    const token = await issuer.sign({ email: 'ada@example.test' })
    const events = clientFor(url, { authorization: `Bearer ${token}` }).iterate({ query: TICKS })
    const first = events.next()
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(7)
    expect((await first).value).toEqual({ data: { ticks: { n: 7, viewer: 'ada@example.test' } } })
    await events.return?.()
  })

  it('reads it from connectionParams.headers too, whatever the case', async () => {
    const url = await serveWs()
    const token = await issuer.sign({ email: 'grace@example.test' })
    const events = clientFor(url, { headers: { Authorization: `Bearer ${token}` } }).iterate({ query: TICKS })
    const first = events.next()
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(8)
    expect((await first).value).toEqual({ data: { ticks: { n: 8, viewer: 'grace@example.test' } } })
    await events.return?.()
  })

  it('refuses a subscription whose connection carries no credentials', async () => {
    const url = await serveWs()
    const events = clientFor(url, {}).iterate({ query: TICKS })
    const first = await events.next()
    expect(errorCodes(first.value as never)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'ticks' },
    ])
    expect(ticks.subscribers).toBe(0)
  })

  it('refuses credentials given twice with different values as ambiguous', async () => {
    const url = await serveWs()
    const [a, b] = [await issuer.sign(), await issuer.sign()]
    const events = clientFor(url, { authorization: `Bearer ${a}`, Authorization: `Bearer ${b}` }).iterate({
      query: TICKS,
    })
    const first = await events.next()
    expect(errorCodes(first.value as never)).toEqual([
      { code: 'BAD_REQUEST', auth: 'invalid_request', path: 'ticks' },
    ])
  })

  it('reads app credentials from connectionParams (x-app-id, x-app-secret)', async () => {
    const url = await serveWs()
    const events = clientFor(url, appHeaders('app-b', 'secret-b')).iterate({ query: PROJECT_TICKS })
    const first = events.next()
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(4)
    expect((await first).value).toEqual({ data: { projectTicks: { n: 4, viewer: PROJECT_B } } })
    await events.return?.()
  })

  it('reads a Mercury token from connectionParams x-project-token, also inside headers', async () => {
    const url = await serveWs()
    const token = mercury.current.mintProjectToken(PROJECT_A, { enabledServices: [SERVICE_ID] })
    for (const params of [
      { 'x-project-token': token },
      { headers: { 'X-Project-Token': `Bearer ${token}` } },
    ]) {
      const events = clientFor(url, params).iterate({ query: PROJECT_TICKS })
      const first = events.next()
      await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
      ticks.publish(5)
      expect((await first).value).toEqual({ data: { projectTicks: { n: 5, viewer: PROJECT_A } } })
      await events.return?.()
      await vi.waitFor(() => expect(ticks.subscribers).toBe(0))
    }
  })

  it('refuses wrong app credentials in connectionParams', async () => {
    const url = await serveWs()
    const events = clientFor(url, appHeaders('app-b', 'wrong')).iterate({ query: PROJECT_TICKS })
    const first = await events.next()
    expect(errorCodes(first.value as never)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_credentials_invalid', path: 'projectTicks' },
    ])
    expect(ticks.subscribers).toBe(0)
  })
})

type Enveloped = Pick<ReturnType<YogaServerInstance<object, object>['getEnveloped']>, 'execute' | 'subscribe'>
