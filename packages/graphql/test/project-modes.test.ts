import { makeExecutableSchema } from '@graphql-tools/schema'
import type { PortcullisConfigInput } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  type UsePortcullisOptions,
  usePortcullis,
} from '../src/index.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'
import { appHeaders, mercuryForFile, PROJECT_A, PROJECT_B, projectConfig, SERVICE_ID } from './projects.js'

const mercury = mercuryForFile()
let issuer: TestIssuer

beforeEach(async () => {
  issuer = await issuerForTest()
})

const typeDefs = /* GraphQL */ `
  type Query {
    project: ProjectInfo @projectAuth
    requiredProject: ProjectInfo! @projectAuth
    projectOrders: String @projectAuth(scopes: ["orders:read"])
    combined: Who @combinedAuth
    requiredCombined: Who! @combinedAuth
    split: String @combinedAuth(userScopes: ["orders:read"], projectScopes: ["orders:write"])
    pooled: String @combinedAuth(scopes: ["orders:read", "orders:write"], mergeScopes: true)
    each: String @combinedAuth(scopes: ["orders:read"])
    either: Who @anyAuth
    requiredEither: Who! @anyAuth
    maybeEither: Who @anyAuth(optional: true)
    internal: ServiceInfo @serviceAuth
    requiredInternal: ServiceInfo! @serviceAuth
    jobs: String @serviceAuth(scopes: ["jobs:run"])
    me: String @jwtAuth
  }
  type ProjectInfo {
    uuid: String
    name: String
    tokenType: String!
    appId: String
  }
  type Who {
    user: String
    project: String
  }
  type ServiceInfo {
    tokenType: String!
    clientId: String
    serviceName: String
  }
`

const projectInfo = (_: unknown, __: unknown, { project }: PortcullisContext) => ({
  uuid: project?.projectUuid,
  name: project?.tokenType === 'service' ? undefined : project?.projectName,
  tokenType: project?.tokenType,
  appId: project?.tokenType === 'service' ? undefined : project?.appId,
})
const who = (_: unknown, __: unknown, { user, project }: PortcullisContext) => ({
  user: user?.id,
  project: project?.projectUuid,
})
const serviceInfo = (_: unknown, __: unknown, { project }: PortcullisContext) => ({
  tokenType: project?.tokenType,
  clientId: project?.tokenType === 'service' ? project.clientId : undefined,
  serviceName: project?.tokenType === 'service' ? project.serviceName : undefined,
})

function schema() {
  return applyPortcullisDirectives(
    makeExecutableSchema<PortcullisContext>({
      typeDefs: [portcullisDirectiveTypeDefs, typeDefs],
      resolvers: {
        Query: {
          project: projectInfo,
          requiredProject: projectInfo,
          projectOrders: () => 'orders',
          combined: who,
          requiredCombined: who,
          split: () => 'split',
          pooled: () => 'pooled',
          each: () => 'each',
          either: who,
          requiredEither: who,
          maybeEither: who,
          internal: serviceInfo,
          requiredInternal: serviceInfo,
          jobs: () => 'jobs ran',
          me: (_: unknown, __: unknown, { user }: PortcullisContext) => user?.id,
        },
      },
    }),
  )
}

async function server(
  config: Partial<PortcullisConfigInput> = {},
  options: UsePortcullisOptions = {},
): Promise<{ url: string } & AuthForTest> {
  const counted = authFor(issuer, projectConfig(mercury.current, config))
  const yoga = createYoga({
    schema: schema(),
    plugins: [usePortcullis(counted.auth, options)],
    logging: false,
  })
  return { ...counted, url: (await serve(yoga)).url }
}

const userToken = (email: string, projectUuid: string) =>
  issuer.sign({ email, email_verified: true, project_uuid: projectUuid })

describe('@projectAuth', () => {
  it('answers with the project on the context for app credentials', async () => {
    const { url } = await server()
    const { status, body } = await postGraphQL(url, '{ project { uuid name tokenType appId } }', {
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(status).toBe(200)
    expect(body).toEqual({
      data: { project: { uuid: PROJECT_A, name: 'Alpha', tokenType: 'credentials', appId: 'app-a' } },
    })
  })

  it('accepts a Mercury project token in x-project-token, with or without "Bearer "', async () => {
    const { url } = await server()
    const token = mercury.current.mintProjectToken(PROJECT_B, { enabledServices: [SERVICE_ID] })
    for (const header of [token, `Bearer ${token}`]) {
      const { body } = await postGraphQL(url, '{ project { uuid tokenType } }', {
        headers: { 'x-project-token': header },
      })
      expect(body).toEqual({ data: { project: { uuid: PROJECT_B, tokenType: 'project' } } })
    }
  })

  it('answers 401 for a wrong app secret', async () => {
    const { url } = await server()
    const { status, body } = await postGraphQL(url, '{ requiredProject { uuid } }', {
      headers: appHeaders('app-a', 'not-the-secret'),
    })
    expect(status).toBe(401)
    expect(body.data).toBeNull()
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_credentials_invalid', path: 'requiredProject' },
    ])
  })

  it('answers 401 with WWW-Authenticate when no project credentials are sent', async () => {
    const { url } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    const { status, headers, body } = await postGraphQL(url, '{ requiredProject { uuid } }', { token })
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe('Bearer')
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'requiredProject' },
    ])
  })

  it('answers 403 for a project this service is not enabled for', async () => {
    const { url } = await server()
    const { status, body } = await postGraphQL(url, '{ requiredProject { uuid } }', {
      headers: appHeaders('app-off', 'secret-off'),
    })
    expect(status).toBe(403)
    expect(errorCodes(body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'requiredProject' },
    ])
  })

  it('scopes are required of the project', async () => {
    const { url } = await server()
    const reader = mercury.current.mintProjectToken(PROJECT_A, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:read'],
    })
    const writer = mercury.current.mintProjectToken(PROJECT_A, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:write'],
    })
    const granted = await postGraphQL(url, '{ projectOrders }', { headers: { 'x-project-token': reader } })
    expect(granted.body).toEqual({ data: { projectOrders: 'orders' } })
    const denied = await postGraphQL(url, '{ projectOrders }', { headers: { 'x-project-token': writer } })
    expect(denied.body.data).toEqual({ projectOrders: null })
    expect(errorCodes(denied.body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'projectOrders' },
    ])
  })
})

describe('@serviceAuth', () => {
  it('accepts a Mercury service token: the calling service is on the context', async () => {
    const { url } = await server()
    const token = mercury.current.mintServiceToken({ clientId: 'billing', serviceName: 'Billing' })
    const { status, body } = await postGraphQL(url, '{ internal { tokenType clientId serviceName } }', {
      headers: { 'x-project-token': token },
    })
    expect(status).toBe(200)
    expect(body).toEqual({
      data: { internal: { tokenType: 'service', clientId: 'billing', serviceName: 'Billing' } },
    })
  })

  it('refuses project tokens and app credentials with 403 access_denied, and no credentials with 401', async () => {
    const { url } = await server()
    const projectToken = mercury.current.mintProjectToken(PROJECT_A, { enabledServices: [SERVICE_ID] })
    for (const headers of [{ 'x-project-token': projectToken }, appHeaders('app-a', 'secret-a')]) {
      const { status, body } = await postGraphQL(url, '{ requiredInternal { clientId } }', { headers })
      expect(status).toBe(403)
      expect(errorCodes(body)).toEqual([
        { code: 'FORBIDDEN', auth: 'access_denied', path: 'requiredInternal' },
      ])
    }
    const anonymous = await postGraphQL(url, '{ requiredInternal { clientId } }')
    expect(anonymous.status).toBe(401)
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'requiredInternal' },
    ])
  })

  it('@serviceAuth(scopes:) requires the scopes of the service token', async () => {
    const { url } = await server()
    const reader = mercury.current.mintServiceToken({ clientId: 'billing', scope: 'services:read' })
    const runner = mercury.current.mintServiceToken({
      clientId: 'scheduler',
      scope: 'services:read jobs:run',
    })
    const denied = await postGraphQL(url, '{ jobs }', { headers: { 'x-project-token': reader } })
    expect(errorCodes(denied.body)).toEqual([{ code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'jobs' }])
    const granted = await postGraphQL(url, '{ jobs }', { headers: { 'x-project-token': runner } })
    expect(granted.body).toEqual({ data: { jobs: 'jobs ran' } })
  })
})

describe('@combinedAuth', () => {
  it('answers with both the user and the project when both credentials are sent', async () => {
    const { url } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    const { body } = await postGraphQL(url, '{ combined { user project } }', {
      token,
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(body).toEqual({ data: { combined: { user: 'ada@example.test', project: PROJECT_A } } })
  })

  it('answers 401 when either credential is missing', async () => {
    const { url } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    for (const options of [{ token }, { headers: appHeaders('app-a', 'secret-a') }]) {
      const { status, body } = await postGraphQL(url, '{ requiredCombined { user } }', options)
      expect(status).toBe(401)
      expect(errorCodes(body)).toEqual([
        { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'requiredCombined' },
      ])
    }
  })

  it('answers 403 access_denied for a user token bound to another project', async () => {
    const { url } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    const { status, headers, body } = await postGraphQL(url, '{ requiredCombined { user } }', {
      token,
      headers: appHeaders('app-b', 'secret-b'),
    })
    expect(status).toBe(403)
    expect(headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect(errorCodes(body)).toEqual([{ code: 'FORBIDDEN', auth: 'access_denied', path: 'requiredCombined' }])
  })

  it('requires scopes of each party, of one party (userScopes, projectScopes), or pooled (mergeScopes)', async () => {
    const { url, calls } = await server()
    const token = await issuer.sign({ scope: 'orders:read', project_uuid: PROJECT_A })
    const projectToken = mercury.current.mintProjectToken(PROJECT_A, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:write'],
    })
    const { body } = await postGraphQL(url, '{ split pooled each }', {
      token,
      headers: { 'x-project-token': projectToken },
    })
    expect(body.data).toEqual({ split: 'split', pooled: 'pooled', each: null })
    expect(errorCodes(body)).toEqual([{ code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'each' }])
    expect(calls()).toBe(1)
  })
})

describe('@anyAuth', () => {
  it('takes either credential, and checks both when both are sent', async () => {
    const { url } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    const query = '{ either { user project } }'
    expect((await postGraphQL(url, query, { token })).body).toEqual({
      data: { either: { user: 'ada@example.test', project: null } },
    })
    expect((await postGraphQL(url, query, { headers: appHeaders('app-b', 'secret-b') })).body).toEqual({
      data: { either: { user: null, project: PROJECT_B } },
    })
    expect((await postGraphQL(url, query, { token, headers: appHeaders('app-a', 'secret-a') })).body).toEqual(
      { data: { either: { user: 'ada@example.test', project: PROJECT_A } } },
    )
    const badProject = await postGraphQL(url, query, { token, headers: appHeaders('app-a', 'wrong') })
    expect(errorCodes(badProject.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_credentials_invalid', path: 'either' },
    ])
  })

  it('answers 401 without credentials; optional lets anonymous callers through', async () => {
    const { url } = await server()
    const anonymous = await postGraphQL(url, '{ requiredEither { user } }')
    expect(anonymous.status).toBe(401)
    expect(errorCodes(anonymous.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'requiredEither' },
    ])
    const optional = await postGraphQL(url, '{ maybeEither { user project } }')
    expect(optional.body).toEqual({ data: { maybeEither: { user: null, project: null } } })
    const bad = await postGraphQL(url, '{ maybeEither { user } }', { headers: appHeaders('app-a', 'nope') })
    expect(errorCodes(bad.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'project_credentials_invalid', path: 'maybeEither' },
    ])
  })
})

describe('one authentication per operation and kind of credential', () => {
  it('authenticates project credentials once, however many fields and scopes ask for them', async () => {
    const { url, calls } = await server()
    const token = mercury.current.mintProjectToken(PROJECT_A, {
      enabledServices: [SERVICE_ID],
      scopes: ['orders:read'],
    })
    const { body } = await postGraphQL(
      url,
      '{ project { uuid } again: project { uuid } projectOrders requiredProject { tokenType } }',
      { headers: { 'x-project-token': token } },
    )
    expect(body.errors).toBeUndefined()
    expect(calls()).toBe(1)
  })

  it('authenticates each kind of credential once when an operation mixes them', async () => {
    const { url, calls } = await server()
    const token = await userToken('ada@example.test', PROJECT_A)
    const lookups = mercury.current.authCalls.length
    const { body } = await postGraphQL(
      url,
      `{ me project { uuid } combined { user } again: combined { project } either { user project }
         maybeEither { user } requiredCombined { user } }`,
      { token, headers: appHeaders('app-a', 'secret-a') },
    )
    expect(body.errors).toBeUndefined()
    expect(body.data).toMatchObject({ me: 'ada@example.test', project: { uuid: PROJECT_A } })
    // jwt, project, combined and any: one authentication each; the project itself is looked up once.
    expect(calls()).toBe(4)
    expect(mercury.current.authCalls.length - lookups).toBe(1)
  })

  it('bad project credentials fail every field that asks for them with one authentication', async () => {
    const { url, calls } = await server()
    const { status, body } = await postGraphQL(url, '{ project { uuid } again: project { uuid } }', {
      headers: appHeaders('app-a', 'wrong'),
    })
    expect(status).toBe(200)
    expect(body.data).toEqual({ project: null, again: null })
    expect(errorCodes(body).map((e) => e.auth)).toEqual([
      'project_credentials_invalid',
      'project_credentials_invalid',
    ])
    expect(calls()).toBe(1)
  })
})

describe('eager project authentication', () => {
  it('eager: { mode: "project" } requires project credentials before any resolver runs', async () => {
    const { url, calls } = await server({}, { eager: { mode: 'project' } })
    const anonymous = await postGraphQL(url, '{ me }')
    expect(anonymous.status).toBe(401)
    expect(errorCodes(anonymous.body)).toEqual([{ code: 'UNAUTHENTICATED', auth: 'credentials_missing' }])
    const { body } = await postGraphQL(url, '{ project { uuid } projectOrders }', {
      headers: appHeaders('app-b', 'secret-b'),
    })
    expect(body.data).toEqual({ project: { uuid: PROJECT_B }, projectOrders: null })
    expect(errorCodes(body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'projectOrders' },
    ])
    // The eager check and the fields share one authentication of the project credentials.
    expect(calls()).toBe(2)
  })
})

describe('eager identification when callers send project credentials', () => {
  it("eager: { mode: 'any', optional: true } identifies a user or a project for every resolver", async () => {
    const { url } = await server({}, { eager: { mode: 'any', optional: true } })
    const query = '{ maybeEither { user project } }'
    expect((await postGraphQL(url, query, { headers: appHeaders('app-a', 'secret-a') })).body).toEqual({
      data: { maybeEither: { user: null, project: PROJECT_A } },
    })
    expect((await postGraphQL(url, query)).body).toEqual({
      data: { maybeEither: { user: null, project: null } },
    })
  })

  it('eager: true identifies bearer tokens only: a request with project credentials alone is refused', async () => {
    const { url } = await server({}, { eager: true })
    const { status, body } = await postGraphQL(url, '{ project { uuid } }', {
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(status).toBe(401)
    expect(errorCodes(body)).toEqual([{ code: 'UNAUTHENTICATED', auth: 'credentials_missing' }])
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After, even to good credentials, once a client address failed too often', async () => {
    const { url } = await server({ rateLimit: { failures: 2, windowSec: 60, blockSec: 60 } })
    // Two failures are allowed; the third goes over the limit and blocks this address (127.0.0.1).
    for (let i = 0; i < 3; i++) {
      const failed = await postGraphQL(url, '{ requiredProject { uuid } }', {
        headers: appHeaders('app-a', `wrong-${i}`),
      })
      expect(failed.status).toBe(401)
    }
    const blocked = await postGraphQL(url, '{ requiredProject { uuid } }', {
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(blocked.headers.get('www-authenticate')).toBeNull()
    expect(errorCodes(blocked.body)).toEqual([
      { code: 'RATE_LIMITED', auth: 'rate_limited', path: 'requiredProject' },
    ])
  })
})
