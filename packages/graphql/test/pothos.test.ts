import { ConfigError } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import SchemaBuilder from '@pothos/core'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { usePortcullis } from '../src/index.js'
import PortcullisPlugin from '../src/pothos/index.js'
import { TestEventSource } from './event-source.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'
import { type Context, pothosSchema } from './pothos-schema.js'
import { subscribeOverSse } from './sse.js'

let issuer: TestIssuer
let counted: AuthForTest
let ticks: TestEventSource<number>

beforeEach(async () => {
  issuer = await issuerForTest()
  counted = authFor(issuer)
  ticks = new TestEventSource<number>()
})

async function servePothos(): Promise<string> {
  const yoga = createYoga({
    schema: pothosSchema(ticks),
    plugins: [usePortcullis(counted.auth)],
    logging: false,
  })
  return (await serve(yoga)).url
}

describe('Pothos plugin', () => {
  it("auth: 'jwt' on a field requires a bearer token; authenticatedField sees the user", async () => {
    const url = await servePothos()
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ me }', { token })).body).toEqual({ data: { me: 'ada@example.test' } })
    const anonymous = await postGraphQL(url, '{ hello me }')
    expect(anonymous.status).toBe(200)
    expect(anonymous.body.data).toEqual({ hello: 'world', me: null })
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'me' },
    ])
  })

  it('scopes alone imply a bearer token and require every scope', async () => {
    const url = await servePothos()
    const denied = await postGraphQL(url, '{ report }', { token: await issuer.sign({ scope: 'other' }) })
    expect(errorCodes(denied.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'report' },
    ])
    const granted = await postGraphQL(url, '{ report }', {
      token: await issuer.sign({ scope: 'reports:read' }),
    })
    expect(granted.body).toEqual({ data: { report: 'report' } })
  })

  it('a policy object takes any-of scopes', async () => {
    const url = await servePothos()
    const admin = await postGraphQL(url, '{ anyReport }', { token: await issuer.sign({ scope: 'admin' }) })
    expect(admin.body).toEqual({ data: { anyReport: 'any report' } })
    const none = await postGraphQL(url, '{ anyReport }', { token: await issuer.sign() })
    expect(errorCodes(none.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'anyReport' },
    ])
  })

  it('an optional policy identifies callers who send a token and lets the others through', async () => {
    const url = await servePothos()
    expect((await postGraphQL(url, '{ greeting }')).body).toEqual({ data: { greeting: 'hello stranger' } })
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ greeting }', { token })).body).toEqual({
      data: { greeting: 'hello ada@example.test' },
    })
  })

  it('auth on an object type protects each of its fields; field scopes add up', async () => {
    const url = await servePothos()
    const anonymous = await postGraphQL(url, '{ hello account { id } }')
    expect(anonymous.body.data).toEqual({ hello: 'world', account: { id: null } })
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'account.id' },
    ])
    const plain = await postGraphQL(url, '{ account { id balance } }', { token: await issuer.sign() })
    expect(plain.body.data).toEqual({ account: { id: 'a-1', balance: null } })
    expect(errorCodes(plain.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'account.balance' },
    ])
    const billing = await postGraphQL(url, '{ account { balance } }', {
      token: await issuer.sign({ scope: 'billing' }),
    })
    expect(billing.body).toEqual({ data: { account: { balance: 42 } } })
  })

  it('authenticates once per operation across many fields and policies', async () => {
    const url = await servePothos()
    const token = await issuer.sign({ scope: 'billing' })
    const { body } = await postGraphQL(url, '{ me accounts { id balance } }', { token })
    expect(body.errors).toBeUndefined()
    // `auth: 'jwt'` (me, Account.id) and `auth: 'jwt'` + billing (Account.balance): one authentication.
    expect(counted.calls()).toBe(1)
  })

  it('auth on the mutation type protects every mutation, with 401 when it fails the operation', async () => {
    const url = await servePothos()
    const anonymous = await postGraphQL(url, 'mutation { rename(name: "x") }')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(anonymous.body.data).toBeNull()
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'rename' },
    ])
    const token = await issuer.sign()
    expect((await postGraphQL(url, 'mutation { rename(name: "x") }', { token })).body).toEqual({
      data: { rename: 'x' },
    })
  })

  it('guards subscribe: a subscription without credentials is refused with 401', async () => {
    const url = await servePothos()
    const refused = await subscribeOverSse(url, 'subscription { ticks }')
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
    expect(ticks.subscribers).toBe(0)
    const stream = await subscribeOverSse(url, 'subscription { ticks }', { token: await issuer.sign() })
    await vi.waitFor(() => expect(ticks.subscribers).toBe(1))
    ticks.publish(3)
    expect(JSON.parse((await stream.nextEvent()).data)).toEqual({ data: { ticks: 3 } })
  })

  it('a mode core cannot serve yet fails in createYoga, naming the field', () => {
    const builder = new SchemaBuilder<{ Context: Context }>({ plugins: [PortcullisPlugin] })
    builder.queryType({
      fields: (t) => ({ projectData: t.string({ auth: 'project', resolve: () => 'data' }) }),
    })
    const schema = builder.toSchema()
    expect(() => createYoga({ schema, plugins: [usePortcullis(counted.auth)], logging: false })).toThrow(
      expect.objectContaining({
        constructor: ConfigError,
        message: expect.stringContaining('Query.projectData: policy.mode'),
      }),
    )
  })
})
