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
import { appHeaders, mercuryForFile, PROJECT_A, PROJECT_B, projectConfig, SERVICE_ID } from './projects.js'
import { subscribeOverSse } from './sse.js'

const mercury = mercuryForFile()
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

  it('a project mode without project authentication configured fails in createYoga, naming the field', () => {
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

describe('Pothos plugin: project credentials', () => {
  function projectSchema() {
    const builder = new SchemaBuilder<{ Context: Context }>({ plugins: [PortcullisPlugin] })
    const Tenant = builder.objectRef<{ name: string }>('Tenant')
    Tenant.implement({
      auth: 'project',
      fields: (t) => ({
        name: t.exposeString('name'),
        uuid: t.string({ resolve: (_tenant, _args, context) => context.project?.projectUuid ?? null }),
      }),
    })
    builder.queryType({
      fields: (t) => ({
        tenant: t.field({ type: Tenant, resolve: () => ({ name: 'tenant' }) }),
        project: t.authenticatedField({
          type: 'String',
          auth: 'project',
          resolve: (_root, _args, context) => context.project.projectUuid ?? null,
        }),
        combined: t.authenticatedField({
          type: 'String',
          auth: 'combined',
          resolve: (_root, _args, context) => `${context.user.id} in ${context.project.projectUuid}`,
        }),
        either: t.string({
          auth: 'any',
          resolve: (_root, _args, context) => context.user?.id ?? context.project?.projectUuid ?? null,
        }),
        caller: t.authenticatedField({
          type: 'String',
          auth: 'service',
          resolve: (_root, _args, context) => context.project.clientId,
        }),
        orders: t.string({ auth: 'project', scopes: ['orders:read'], resolve: () => 'orders' }),
      }),
    })
    return builder.toSchema()
  }

  async function serveProjects(): Promise<{ url: string } & AuthForTest> {
    const projectAuth = authFor(issuer, projectConfig(mercury.current))
    const yoga = createYoga({
      schema: projectSchema(),
      plugins: [usePortcullis(projectAuth.auth)],
      logging: false,
    })
    return { ...projectAuth, url: (await serve(yoga)).url }
  }

  it("auth: 'project' and 'combined' serve fields with the project (and user) on the context", async () => {
    const { url, calls } = await serveProjects()
    const token = await issuer.sign({ email: 'ada@example.test', project_uuid: PROJECT_A })
    const { body } = await postGraphQL(url, '{ project combined tenant { name uuid } }', {
      token,
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(body).toEqual({
      data: {
        project: PROJECT_A,
        combined: `ada@example.test in ${PROJECT_A}`,
        tenant: { name: 'tenant', uuid: PROJECT_A },
      },
    })
    expect(calls()).toBe(2)
    const mismatched = await postGraphQL(url, '{ combined }', {
      token,
      headers: appHeaders('app-b', 'secret-b'),
    })
    expect(mismatched.status).toBe(200)
    expect(errorCodes(mismatched.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'access_denied', path: 'combined' },
    ])
  })

  it("auth: 'any' takes either credential; a wrong secret answers UNAUTHENTICATED", async () => {
    const { url } = await serveProjects()
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ either }', { token })).body).toEqual({
      data: { either: 'ada@example.test' },
    })
    expect((await postGraphQL(url, '{ either }', { headers: appHeaders('app-b', 'secret-b') })).body).toEqual(
      {
        data: { either: PROJECT_B },
      },
    )
    const wrong = await postGraphQL(url, '{ either tenant { name } }', { headers: appHeaders('app-b', 'x') })
    expect(wrong.body.data).toEqual({ either: null, tenant: { name: null } })
    expect(errorCodes(wrong.body).map((e) => e.auth)).toEqual([
      'project_credentials_invalid',
      'project_credentials_invalid',
    ])
  })

  it("auth: 'service' takes Mercury service tokens only; project scopes apply", async () => {
    const { url } = await serveProjects()
    const service = mercury.current.mintServiceToken({ clientId: 'billing' })
    expect((await postGraphQL(url, '{ caller }', { headers: { 'x-project-token': service } })).body).toEqual({
      data: { caller: 'billing' },
    })
    const project = mercury.current.mintProjectToken(PROJECT_A, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:read'],
    })
    const { body } = await postGraphQL(url, '{ caller orders }', { headers: { 'x-project-token': project } })
    expect(body.data).toEqual({ caller: null, orders: 'orders' })
    expect(errorCodes(body)).toEqual([{ code: 'FORBIDDEN', auth: 'access_denied', path: 'caller' }])
  })
})
