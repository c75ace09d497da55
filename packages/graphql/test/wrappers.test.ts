import { makeExecutableSchema } from '@graphql-tools/schema'
import { ConfigError, hashApiKey } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  type PortcullisContext,
  requiresAnyAuth,
  requiresCombinedAuth,
  requiresJwtAuth,
  requiresProjectAuth,
  requiresServiceAuth,
  usePortcullis,
} from '../src/index.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'
import { appHeaders, mercuryForFile, PROJECT_A, PROJECT_B, projectConfig, SERVICE_ID } from './projects.js'

const mercury = mercuryForFile()

let issuer: TestIssuer
let other: TestIssuer
let counted: AuthForTest

beforeEach(async () => {
  ;[issuer, other] = await Promise.all([issuerForTest(), issuerForTest()])
  counted = authFor([issuer, other])
})

function codeFirstSchema() {
  return makeExecutableSchema<PortcullisContext>({
    typeDefs: /* GraphQL */ `
      type Query {
        hello: String
        profile: String
        report: String
        requiredReport: String!
        greeting: String
        fromFirstIssuer: String!
        onlyFirstIssuer: String
      }
    `,
    resolvers: {
      Query: {
        hello: () => 'world',
        profile: requiresJwtAuth((_source, _args, context) => context.user.id),
        report: requiresJwtAuth(() => 'report', { scopes: ['reports:read'] }),
        requiredReport: requiresJwtAuth(() => 'report', { scopes: ['reports:read'] }),
        greeting: requiresJwtAuth((_source, _args, context) => `hello ${context.user?.id ?? 'stranger'}`, {
          optional: true,
        }),
        fromFirstIssuer: requiresJwtAuth(() => 'trusted', { issuers: [issuer.url] }),
        onlyFirstIssuer: requiresJwtAuth(() => 'trusted', { issuers: [issuer.url] }),
      },
    },
  })
}

async function serveCodeFirst(options: Parameters<typeof usePortcullis>[1] = {}): Promise<string> {
  const yoga = createYoga({
    schema: codeFirstSchema(),
    plugins: [usePortcullis(counted.auth, options)],
    logging: false,
  })
  return (await serve(yoga)).url
}

describe('resolver wrappers', () => {
  it('requiresJwtAuth runs the resolver with the user on the context', async () => {
    const url = await serveCodeFirst()
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ profile }', { token })).body).toEqual({
      data: { profile: 'ada@example.test' },
    })
  })

  it('requiresJwtAuth without a token: field error and null, the rest answered', async () => {
    const url = await serveCodeFirst()
    const { status, body } = await postGraphQL(url, '{ hello profile }')
    expect(status).toBe(200)
    expect(body.data).toEqual({ hello: 'world', profile: null })
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'profile' },
    ])
  })

  it('requiresJwtAuth with scopes answers 403 insufficient_scope when the operation fails', async () => {
    const url = await serveCodeFirst()
    const token = await issuer.sign({ scope: 'other' })
    const { status, headers, body } = await postGraphQL(url, '{ requiredReport }', { token })
    expect(status).toBe(403)
    expect(headers.get('www-authenticate')).toContain('scope="reports:read"')
    expect(errorCodes(body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'requiredReport' },
    ])
    const granted = await postGraphQL(url, '{ report }', {
      token: await issuer.sign({ scope: 'reports:read' }),
    })
    expect(granted.body).toEqual({ data: { report: 'report' } })
  })

  it('requiresJwtAuth with optional: true lets anonymous callers through', async () => {
    const url = await serveCodeFirst()
    expect((await postGraphQL(url, '{ greeting }')).body).toEqual({ data: { greeting: 'hello stranger' } })
    const token = await issuer.sign({ email: 'ada@example.test' })
    expect((await postGraphQL(url, '{ greeting }', { token })).body).toEqual({
      data: { greeting: 'hello ada@example.test' },
    })
  })

  it('requiresJwtAuth with issuers accepts tokens from those issuers only', async () => {
    const url = await serveCodeFirst()
    const trusted = await postGraphQL(url, '{ fromFirstIssuer }', { token: await issuer.sign() })
    expect(trusted.body).toEqual({ data: { fromFirstIssuer: 'trusted' } })
    const elsewhere = await postGraphQL(url, '{ fromFirstIssuer }', { token: await other.sign() })
    expect(elsewhere.status).toBe(401)
    expect(errorCodes(elsewhere.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'token_issuer_unknown', path: 'fromFirstIssuer' },
    ])
  })

  it('when 401 and 403 both fail the operation, the response speaks for the 401', async () => {
    const url = await serveCodeFirst({ partialResults: false })
    const token = await other.sign({ scope: 'other' })
    const { status, headers, body } = await postGraphQL(url, '{ report onlyFirstIssuer }', { token })
    expect(body.data).toBeNull()
    expect(errorCodes(body).map((c) => c.auth)).toEqual(['insufficient_scope', 'token_issuer_unknown'])
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token is invalid."',
    )
  })

  for (const [name, wrapper] of [
    ['requiresProjectAuth', requiresProjectAuth],
    ['requiresCombinedAuth', requiresCombinedAuth],
    ['requiresAnyAuth', requiresAnyAuth],
  ] as const) {
    it(`${name} maps its mode through and, without project auth configured, fails in createYoga`, () => {
      const schema = makeExecutableSchema({
        typeDefs: 'type Query { project: String }',
        resolvers: { Query: { project: wrapper(() => 'project data') } },
      })
      expect(() => createYoga({ schema, plugins: [usePortcullis(counted.auth)], logging: false })).toThrow(
        expect.objectContaining({
          constructor: ConfigError,
          message: expect.stringContaining('Query.project: policy.mode'),
        }),
      )
    })
  }
})

describe('resolver wrappers for project credentials', () => {
  async function serveProjectWrappers(): Promise<string> {
    const auth = authFor(issuer, projectConfig(mercury.current)).auth
    const schema = makeExecutableSchema<PortcullisContext>({
      typeDefs: /* GraphQL */ `
        type Query {
          project: String
          combined: String
          either: String
          caller: String!
          projectTokenType: String
        }
      `,
      resolvers: {
        Query: {
          project: requiresProjectAuth((_source, _args, context) => context.project.projectUuid),
          combined: requiresCombinedAuth(
            (_source, _args, context) => `${context.user.id} in ${context.project.projectUuid}`,
          ),
          either: requiresAnyAuth(
            (_source, _args, context) => context.user?.id ?? context.project?.projectUuid ?? null,
          ),
          caller: requiresServiceAuth((_source, _args, context) => context.project.clientId),
          projectTokenType: requiresProjectAuth((_source, _args, context) => context.project?.tokenType, {
            projectKinds: ['project', 'platform'],
          }),
        },
      },
    })
    const yoga = createYoga({ schema, plugins: [usePortcullis(auth)], logging: false })
    return (await serve(yoga)).url
  }

  it('requiresProjectAuth, requiresCombinedAuth and requiresAnyAuth run the resolver with their credentials', async () => {
    const url = await serveProjectWrappers()
    const token = await issuer.sign({ email: 'ada@example.test', project_uuid: PROJECT_A })
    const { body } = await postGraphQL(url, '{ project combined either }', {
      token,
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(body).toEqual({
      data: { project: PROJECT_A, combined: `ada@example.test in ${PROJECT_A}`, either: 'ada@example.test' },
    })
    const projectOnly = await postGraphQL(url, '{ project combined either }', {
      headers: appHeaders('app-b', 'secret-b'),
    })
    expect(projectOnly.body.data).toEqual({ project: PROJECT_B, combined: null, either: PROJECT_B })
    expect(errorCodes(projectOnly.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'combined' },
    ])
  })

  it('requiresServiceAuth takes Mercury service tokens only', async () => {
    const url = await serveProjectWrappers()
    const service = mercury.current.mintServiceToken({ clientId: 'billing' })
    expect((await postGraphQL(url, '{ caller }', { headers: { 'x-project-token': service } })).body).toEqual({
      data: { caller: 'billing' },
    })
    const project = mercury.current.mintProjectToken(PROJECT_A, { enabledServices: [SERVICE_ID] })
    const refused = await postGraphQL(url, '{ caller }', { headers: { 'x-project-token': project } })
    expect(refused.status).toBe(403)
    expect(errorCodes(refused.body)).toEqual([{ code: 'FORBIDDEN', auth: 'access_denied', path: 'caller' }])
  })

  it('a wrapper policy restricts the project kinds it accepts', async () => {
    const url = await serveProjectWrappers()
    const project = mercury.current.mintProjectToken(PROJECT_A, { enabledServices: [SERVICE_ID] })
    expect(
      (await postGraphQL(url, '{ projectTokenType }', { headers: { 'x-project-token': project } })).body,
    ).toEqual({ data: { projectTokenType: 'project' } })
    const credentials = await postGraphQL(url, '{ projectTokenType }', {
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(errorCodes(credentials.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'access_denied', path: 'projectTokenType' },
    ])
  })
})

describe('allow rules', () => {
  it("a field's own allow rules replace the configured ones, with one authentication", async () => {
    const { auth, calls } = authFor(issuer, { allow: { allowedDomains: ['corp.test'] } })
    const schema = makeExecutableSchema<PortcullisContext>({
      typeDefs: 'type Query { staff: String, partners: String }',
      resolvers: {
        Query: {
          staff: requiresJwtAuth((_source, _args, context) => context.user.id),
          partners: requiresJwtAuth((_source, _args, context) => context.user.id, {
            allow: { allowedUsers: ['eve@partner.test'] },
          }),
        },
      },
    })
    const { url } = await serve(createYoga({ schema, plugins: [usePortcullis(auth)], logging: false }))
    const partner = await issuer.sign({ email: 'eve@partner.test', email_verified: true })
    const { body } = await postGraphQL(url, '{ staff partners }', { token: partner })
    expect(body.data).toEqual({ staff: null, partners: 'eve@partner.test' })
    expect(errorCodes(body)).toEqual([{ code: 'FORBIDDEN', auth: 'access_denied', path: 'staff' }])
    const staff = await issuer.sign({ email: 'ada@corp.test', email_verified: true })
    const staffAnswer = await postGraphQL(url, '{ staff partners }', { token: staff })
    expect(staffAnswer.body.data).toEqual({ staff: 'ada@corp.test', partners: null })
    expect(calls()).toBe(2)
  })
})

describe('API keys (mode any)', () => {
  const pepper = 'pepper-for-graphql-tests-0123456789abcdef'

  it('accept narrows a field to API keys; a bearer token accepted elsewhere in the operation does not pass it', async () => {
    const { auth, calls } = authFor(issuer, {
      apiKeys: {
        pepper,
        keys: [{ id: 'k1', hash: hashApiKey('key-one', pepper), owner: 'ci@example.test', scopes: [] }],
      },
    })
    const schema = makeExecutableSchema<PortcullisContext>({
      typeDefs: 'type Query { anyone: String, keysOnly: String }',
      resolvers: {
        Query: {
          anyone: requiresAnyAuth((_source, _args, context) => context.user?.id ?? null),
          keysOnly: requiresAnyAuth((_source, _args, context) => context.apiKey?.id ?? null, {
            accept: ['apiKey'],
          }),
        },
      },
    })
    const { url } = await serve(createYoga({ schema, plugins: [usePortcullis(auth)], logging: false }))
    const token = await issuer.sign({ email: 'ada@example.test' })
    const withToken = await postGraphQL(url, '{ anyone keysOnly }', { token })
    expect(withToken.body.data).toEqual({ anyone: 'ada@example.test', keysOnly: null })
    expect(errorCodes(withToken.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'keysOnly' },
    ])
    const withKey = await postGraphQL(url, '{ anyone keysOnly }', { headers: { 'x-api-key': 'key-one' } })
    expect(withKey.body).toEqual({ data: { anyone: 'ci@example.test', keysOnly: 'k1' } })
    // Two kinds of credential per operation (any, and any accepting API keys only): two authentications each.
    expect(calls()).toBe(4)
  })
})
