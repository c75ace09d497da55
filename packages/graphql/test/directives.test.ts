import { makeExecutableSchema } from '@graphql-tools/schema'
import { ConfigError } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { buildSchema, type GraphQLSchema, parse } from 'graphql'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it } from 'vitest'
import { applyPortcullisDirectives, portcullisDirectiveTypeDefs, usePortcullis } from '../src/index.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'

let issuer: TestIssuer
let counted: AuthForTest

beforeEach(async () => {
  issuer = await issuerForTest()
  counted = authFor(issuer)
})

function schemaOf(typeDefs: string, resolvers: Record<string, Record<string, unknown>> = {}): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: [portcullisDirectiveTypeDefs, typeDefs], resolvers })
}

async function serveSchema(schema: GraphQLSchema): Promise<string> {
  const yoga = createYoga({
    schema: applyPortcullisDirectives(schema),
    plugins: [usePortcullis(counted.auth)],
    logging: false,
  })
  return (await serve(yoga)).url
}

function configErrorOf(build: () => unknown): ConfigError {
  try {
    build()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError, but nothing was thrown')
}

describe('portcullisDirectiveTypeDefs', () => {
  it('defines every directive, with the Wazobia names and arguments, on fields and object types', () => {
    const schema = buildSchema(`${portcullisDirectiveTypeDefs}\ntype Query { a: String }`)
    const names = ['jwtAuth', 'projectAuth', 'combinedAuth', 'anyAuth', 'serviceAuth', 'scopes']
    for (const name of names) {
      const directive = schema.getDirective(name)
      expect(directive?.locations).toEqual(['FIELD_DEFINITION', 'OBJECT'])
    }
    expect(schema.getDirective('scopes')?.args.map((a) => a.name)).toEqual(['requires', 'any'])
    expect(schema.getDirective('jwtAuth')?.args.map((a) => a.name)).toEqual(['scopes', 'optional'])
    expect(schema.getDirective('serviceAuth')?.args.map((a) => a.name)).toEqual(['scopes'])
    expect(schema.getDirective('combinedAuth')?.args.map((a) => a.name)).toEqual([
      'scopes',
      'userScopes',
      'projectScopes',
      'mergeScopes',
      'optional',
    ])
    expect(() => parse(portcullisDirectiveTypeDefs)).not.toThrow()
  })

  it('accepts existing Wazobia-style schemas unchanged', () => {
    const schema = schemaOf(/* GraphQL */ `
      type Query {
        profile: String @jwtAuth
        report: String @jwtAuth @scopes(requires: ["reports:read"])
      }
    `)
    expect(() => applyPortcullisDirectives(schema)).not.toThrow()
  })
})

describe('@jwtAuth and @scopes', () => {
  const typeDefs = /* GraphQL */ `
    type Query {
      open: String
      profile: String @jwtAuth
      report: String @scopes(requires: ["reports:read", "reports:export"])
      anyReport: String @jwtAuth @scopes(any: ["reports:read", "admin"])
      directScopes: String @jwtAuth(scopes: ["reports:read"])
      maybeUser: String @jwtAuth(optional: true)
    }
  `
  const resolvers = {
    Query: {
      open: () => 'open',
      profile: (_: unknown, __: unknown, context: { user?: { id: string } }) => context.user?.id,
      report: () => 'report',
      anyReport: () => 'any report',
      directScopes: () => 'direct',
      maybeUser: (_: unknown, __: unknown, context: { user?: { id: string } }) =>
        context.user?.id ?? 'anonymous',
    },
  }

  it('@jwtAuth requires a valid bearer token', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ profile }', { token })).body).toEqual({
      data: { profile: 'ada@example.test' },
    })
    const anonymous = await postGraphQL(url, '{ open profile }')
    expect(anonymous.body.data).toEqual({ open: 'open', profile: null })
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'profile' },
    ])
  })

  it('@scopes(requires:) alone implies a bearer token and requires every scope', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const partial = await postGraphQL(url, '{ report }', {
      token: await issuer.sign({ scope: 'reports:read' }),
    })
    expect(errorCodes(partial.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'report' },
    ])
    const full = await postGraphQL(url, '{ report }', {
      token: await issuer.sign({ scope: 'reports:read reports:export' }),
    })
    expect(full.body).toEqual({ data: { report: 'report' } })
    const anonymous = await postGraphQL(url, '{ report }')
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'report' },
    ])
  })

  it('@scopes(any:) requires at least one of the scopes', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const admin = await postGraphQL(url, '{ anyReport }', { token: await issuer.sign({ scope: 'admin' }) })
    expect(admin.body).toEqual({ data: { anyReport: 'any report' } })
    const none = await postGraphQL(url, '{ anyReport }', { token: await issuer.sign({ scope: 'other' }) })
    expect(errorCodes(none.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'anyReport' },
    ])
  })

  it('@jwtAuth(scopes:) requires the scopes too', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const missing = await postGraphQL(url, '{ directScopes }', { token: await issuer.sign({ scope: 'x' }) })
    expect(errorCodes(missing.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'directScopes' },
    ])
    const granted = await postGraphQL(url, '{ directScopes }', {
      token: await issuer.sign({ scope: 'reports:read' }),
    })
    expect(granted.body).toEqual({ data: { directScopes: 'direct' } })
  })

  it('@jwtAuth(optional: true) lets anonymous requests through but still rejects bad tokens', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    expect((await postGraphQL(url, '{ maybeUser }')).body).toEqual({ data: { maybeUser: 'anonymous' } })
    const user = await postGraphQL(url, '{ maybeUser }', {
      token: await issuer.sign({ email: 'ada@example.test' }),
    })
    expect(user.body).toEqual({ data: { maybeUser: 'ada@example.test' } })
    const bad = await postGraphQL(url, '{ maybeUser }', { token: await issuer.sign({}, { expiresIn: -300 }) })
    expect(errorCodes(bad.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'token_expired', path: 'maybeUser' },
    ])
  })
})

describe('type-level directives', () => {
  const typeDefs = /* GraphQL */ `
    type Query {
      account: Account
      settings: Settings
    }
    type Account @jwtAuth {
      id: String
      email: String
      balance: Int @scopes(requires: ["billing"])
    }
    type Settings @jwtAuth(scopes: ["settings"]) {
      theme: String
      publicName: String @jwtAuth(optional: true)
    }
  `
  const resolvers = {
    Query: { account: () => ({ id: 'a-1', email: 'ada@example.test', balance: 42 }), settings: () => ({}) },
    Settings: { theme: () => 'dark', publicName: () => 'Ada' },
  }

  it('a directive on an object type protects every field of the type', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const anonymous = await postGraphQL(url, '{ account { id email } }')
    expect(anonymous.status).toBe(200)
    expect(anonymous.body.data).toEqual({ account: { id: null, email: null } })
    expect(errorCodes(anonymous.body).map((c) => c.path)).toEqual(['account.id', 'account.email'])
    const token = await issuer.sign()
    const signedIn = await postGraphQL(url, '{ account { id email } }', { token })
    expect(signedIn.body).toEqual({ data: { account: { id: 'a-1', email: 'ada@example.test' } } })
    expect(counted.calls()).toBe(2)
  })

  it('scopes on a field add to the type-level requirement', async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
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

  it("a field's auth directive replaces the type's, while type-level scopes still apply", async () => {
    const url = await serveSchema(schemaOf(typeDefs, resolvers))
    const anonymous = await postGraphQL(url, '{ settings { theme publicName } }')
    expect(anonymous.body.data).toEqual({ settings: { theme: null, publicName: 'Ada' } })
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'settings.theme' },
    ])
    const unscoped = await postGraphQL(url, '{ settings { theme publicName } }', {
      token: await issuer.sign(),
    })
    expect(unscoped.body.data).toEqual({ settings: { theme: null, publicName: null } })
    expect(errorCodes(unscoped.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'settings.theme' },
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'settings.publicName' },
    ])
    const granted = await postGraphQL(url, '{ settings { theme publicName } }', {
      token: await issuer.sign({ scope: 'settings' }),
    })
    expect(granted.body).toEqual({ data: { settings: { theme: 'dark', publicName: 'Ada' } } })
  })
})

describe('project directives without project authentication configured', () => {
  for (const [directive, mode] of [
    ['projectAuth', 'project'],
    ['combinedAuth', 'combined'],
    ['anyAuth', 'any'],
    ['serviceAuth', 'project'],
  ] as const) {
    it(`@${directive} maps to mode '${mode}' and fails in createYoga, naming the field`, () => {
      const schema = applyPortcullisDirectives(
        schemaOf(`type Query { open: String guarded: String @${directive} }`),
      )
      const error = configErrorOf(() =>
        createYoga({ schema, plugins: [usePortcullis(counted.auth)], logging: false }),
      )
      expect(error.issues[0]?.path).toBe('Query.guarded: policy.mode')
      expect(error.issues[0]?.message).toContain(`"${mode}" needs project authentication`)
    })
  }
})

describe('directive mistakes fail when the schema is built', () => {
  it('two auth directives on one field', () => {
    const schema = schemaOf('type Query { both: String @jwtAuth @projectAuth }')
    const error = configErrorOf(() => applyPortcullisDirectives(schema))
    expect(error.issues[0]?.path).toBe('Query.both')
    expect(error.issues[0]?.message).toContain('@combinedAuth')
    const service = schemaOf('type Query { both: String @serviceAuth @projectAuth }')
    expect(configErrorOf(() => applyPortcullisDirectives(service)).issues[0]?.message).toContain(
      '@projectAuth @serviceAuth',
    )
  })

  it('any-of scopes on both a type and its field', () => {
    const schema = schemaOf(
      'type Query { a: A } type A @scopes(any: ["x", "y"]) { b: String @scopes(any: ["z"]) }',
    )
    expect(configErrorOf(() => applyPortcullisDirectives(schema)).issues[0]?.path).toBe('A.b')
  })

  it('a directive on an interface field', () => {
    const schema = schemaOf(
      'type Query { node: Node } interface Node { id: String @jwtAuth } type Thing implements Node { id: String }',
      { Node: { __resolveType: () => 'Thing' } },
    )
    expect(configErrorOf(() => applyPortcullisDirectives(schema)).issues[0]?.path).toBe('Node.id')
  })
})
