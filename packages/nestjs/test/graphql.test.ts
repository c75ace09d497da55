import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo'
import { UseGuards } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { Args, Context, GraphQLModule, Query, Resolver } from '@nestjs/graphql'
import type { AuthEvent } from '@portcullis/core'
import type { MercuryStandIn, TestIssuer } from '@portcullis/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  Auth,
  Claims,
  CurrentProject,
  CurrentUser,
  JwtAuthGuard,
  PortcullisModule,
  type ProjectIdentity,
  Public,
  Scopes,
  type User,
} from '../src/index.js'
import { appCredentials, PROJECT_A, projectConfigFor, startMercury } from './project-support.js'
import { configFor, issuerForTest, type RunningApp, startApp } from './support.js'

const typeDefs = /* GraphQL */ `
  type Viewer {
    id: String!
    email: String
  }
  type Query {
    me: Viewer!
    health: String!
    admin: String!
    claim(name: String!): String
    audited: String!
  }
`

@Resolver()
@UseGuards(JwtAuthGuard)
class ViewerResolver {
  @Query('me')
  me(@CurrentUser() user: User) {
    return { id: user.id, email: user.email ?? null }
  }

  @Query('health')
  @Public()
  health() {
    return 'ok'
  }

  @Query('admin')
  @Scopes('admin')
  admin() {
    return 'secret'
  }

  @Query('claim')
  claim(@Args('name') name: string, @Claims() claims: Record<string, unknown>) {
    return String(claims[name])
  }

  @Query('audited')
  @Auth('jwt', { anyScopes: ['audit', 'admin'] })
  audited() {
    return 'audited'
  }
}

interface GraphqlResponse {
  data?: Record<string, unknown> | null
  errors?: { message: string; extensions: { code: string; originalError?: Record<string, unknown> } }[]
}

async function query(
  server: RunningApp,
  source: string,
  token?: string,
  headers: Record<string, string> = {},
) {
  const response = await server.request('/graphql', {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: source }),
  })
  return { response, body: (await response.json()) as GraphqlResponse }
}

const projectTypeDefs = /* GraphQL */ `
  type Query {
    project: String!
    caller: String!
  }
`

@Resolver()
class ProjectResolver {
  @Query('project')
  @Auth('project')
  project(
    @CurrentProject() project: ProjectIdentity,
    @Context('project') fromContext: ProjectIdentity | undefined,
  ) {
    return `${project.tokenType} ${project.projectUuid} ${fromContext?.projectUuid}`
  }

  @Query('caller')
  @Auth('any')
  caller(@Context() context: { user?: User; project?: ProjectIdentity }) {
    return `${context.user?.id ?? '-'} ${context.project?.projectUuid ?? '-'}`
  }
}

function graphqlModule(config: Partial<ApolloDriverConfig> = {}) {
  return GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, typeDefs, ...config })
}

describe('guards in GraphQL resolvers (Apollo, Express)', () => {
  let issuer: TestIssuer
  let server: RunningApp

  beforeEach(async () => {
    issuer = await issuerForTest()
    server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer)), graphqlModule()],
      providers: [ViewerResolver],
    })
  })

  it('resolves a guarded query for a valid token, with the user from @CurrentUser()', async () => {
    const token = await issuer.sign({ sub: 'ada', email: 'ada@example.test' })
    const { response, body } = await query(server, '{ me { id email } }', token)
    expect(response.status).toBe(200)
    expect(body).toEqual({ data: { me: { id: 'ada@example.test', email: 'ada@example.test' } } })
  })

  it('answers UNAUTHENTICATED with the Portcullis error and sets WWW-Authenticate when no token is sent', async () => {
    const { response, body } = await query(server, '{ me { id } }')
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(body.data).toBeNull()
    expect(body.errors).toHaveLength(1)
    expect(body.errors?.[0]?.message).toBe('Authentication is required.')
    expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(body.errors?.[0]?.extensions.originalError).toEqual({
      statusCode: 401,
      message: 'Authentication is required.',
      error: 'credentials_missing',
      error_description: 'Authentication is required.',
      code: 'credentials_missing',
    })
  })

  it('answers FORBIDDEN with insufficient_scope for a token lacking the scope', async () => {
    const { response, body } = await query(server, '{ admin }', await issuer.sign({ scope: 'user' }))
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope", ')
    expect(body.errors?.[0]?.extensions.code).toBe('FORBIDDEN')
    expect(body.errors?.[0]?.extensions.originalError).toMatchObject({ code: 'insufficient_scope' })
    expect((await query(server, '{ admin }', await issuer.sign({ scope: 'admin' }))).body).toEqual({
      data: { admin: 'secret' },
    })
  })

  it('resolves a @Public() query without credentials', async () => {
    expect((await query(server, '{ health }')).body).toEqual({ data: { health: 'ok' } })
  })

  it('hands resolvers the claims next to their arguments', async () => {
    const token = await issuer.sign({ sub: 'ada', tenant: 't-1' })
    expect((await query(server, '{ claim(name: "tenant") }', token)).body).toEqual({ data: { claim: 't-1' } })
  })

  it('applies @Auth policies in resolvers', async () => {
    expect((await query(server, '{ audited }', await issuer.sign({ scope: 'admin' }))).body).toEqual({
      data: { audited: 'audited' },
    })
    const denied = await query(server, '{ audited }', await issuer.sign({ scope: 'user' }))
    expect(denied.body.errors?.[0]?.extensions.originalError).toMatchObject({ code: 'insufficient_scope' })
  })

  it('rejects an expired token with token_expired', async () => {
    const { body } = await query(server, '{ me { id } }', await issuer.sign({ iat: 1_000, exp: 2_000 }))
    expect(body.errors?.[0]?.extensions.originalError).toMatchObject({ code: 'token_expired' })
  })
})

describe('a global guard over GraphQL', () => {
  it('protects every resolver and honours @Public()', async () => {
    const issuer = await issuerForTest()
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer)), graphqlModule()],
      providers: [ViewerResolver, { provide: APP_GUARD, useClass: JwtAuthGuard }],
    })
    expect((await query(server, '{ health }')).body).toEqual({ data: { health: 'ok' } })
    expect((await query(server, '{ me { id } }')).body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    const token = await issuer.sign({ sub: 'grace' })
    expect((await query(server, '{ me { id } }', token)).body).toEqual({ data: { me: { id: 'grace' } } })
  })
})

describe('guards in GraphQL resolvers (Apollo, Fastify)', () => {
  let issuer: TestIssuer
  beforeEach(async () => {
    issuer = await issuerForTest()
  })

  it('authenticates and rejects with the Portcullis error; no reply in the default context, so no header', async () => {
    const server = await startApp(
      {
        imports: [PortcullisModule.forRoot(configFor(issuer)), graphqlModule()],
        providers: [ViewerResolver],
      },
      { platform: 'fastify' },
    )
    const token = await issuer.sign({ sub: 'ada' })
    expect((await query(server, '{ me { id } }', token)).body).toEqual({ data: { me: { id: 'ada' } } })
    const { response, body } = await query(server, '{ me { id } }')
    expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(body.errors?.[0]?.extensions.originalError).toMatchObject({ code: 'credentials_missing' })
    expect(response.headers.get('www-authenticate')).toBeNull()
  })

  it('sets WWW-Authenticate when the context carries the reply', async () => {
    const server = await startApp(
      {
        imports: [
          PortcullisModule.forRoot(configFor(issuer)),
          graphqlModule({ context: (request: unknown, reply: unknown) => ({ req: request, reply }) }),
        ],
        providers: [ViewerResolver],
      },
      { platform: 'fastify' },
    )
    const { response, body } = await query(server, '{ admin }', await issuer.sign({ scope: 'user' }))
    expect(body.errors?.[0]?.extensions.code).toBe('FORBIDDEN')
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect((await query(server, '{ admin }', await issuer.sign({ scope: 'admin' }))).body).toEqual({
      data: { admin: 'secret' },
    })
  })
})

describe('one authentication per GraphQL operation', () => {
  it('authenticates the token once and checks each root field’s own policy on that result', async () => {
    const issuer = await issuerForTest()
    const events: AuthEvent[] = []
    const server = await startApp({
      imports: [
        PortcullisModule.forRoot(configFor(issuer), {
          authOptions: { onEvent: (event) => events.push(event) },
        }),
        graphqlModule(),
      ],
      providers: [ViewerResolver],
    })
    const successes = () => events.filter((event) => event.type === 'auth.success').length
    const auditor = await issuer.sign({ sub: 'ada', scope: 'audit', tenant: 't-1' })
    const all = await query(server, '{ me { id } audited claim(name: "tenant") }', auditor)
    expect(all.body).toEqual({ data: { me: { id: 'ada' }, audited: 'audited', claim: 't-1' } })
    expect(successes()).toBe(1)

    const denied = await query(server, '{ me { id } admin }', auditor)
    expect(denied.body.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN'])
    expect(denied.body.errors?.[0]?.extensions.originalError).toMatchObject({ code: 'insufficient_scope' })
    expect(successes()).toBe(2)
  })
})

describe('project credentials in GraphQL resolvers (Apollo, Express)', () => {
  let mercury: MercuryStandIn
  beforeAll(async () => {
    mercury = await startMercury()
  })
  afterAll(() => mercury?.close())

  let issuer: TestIssuer
  let server: RunningApp
  beforeEach(async () => {
    issuer = await issuerForTest()
    server = await startApp({
      imports: [
        PortcullisModule.forRoot(projectConfigFor(issuer, mercury)),
        graphqlModule({ typeDefs: projectTypeDefs }),
      ],
      providers: [ProjectResolver],
    })
  })

  it('hands the resolver the project through @CurrentProject() and the GraphQL context', async () => {
    const { body } = await query(server, '{ project }', undefined, appCredentials('app-a', 'pw-a'))
    expect(body).toEqual({ data: { project: `credentials ${PROJECT_A} ${PROJECT_A}` } })
  })

  it('puts the user or the project on the context in any mode, whichever the request carries', async () => {
    const token = await issuer.sign({ sub: 'ada' })
    expect((await query(server, '{ caller }', token)).body).toEqual({ data: { caller: 'ada -' } })
    const project = await query(server, '{ caller }', undefined, appCredentials('app-a', 'pw-a'))
    expect(project.body).toEqual({ data: { caller: `- ${PROJECT_A}` } })
  })

  it('answers UNAUTHENTICATED for a wrong secret and FORBIDDEN for a project without this service', async () => {
    const wrong = await query(server, '{ project }', undefined, appCredentials('app-a', 'nope'))
    expect(wrong.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(wrong.body.errors?.[0]?.extensions.originalError).toMatchObject({
      statusCode: 401,
      code: 'project_credentials_invalid',
    })
    const off = await query(server, '{ project }', undefined, appCredentials('app-off', 'pw-off'))
    expect(off.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN')
    expect(off.body.errors?.[0]?.extensions.originalError).toMatchObject({ statusCode: 403 })
  })
})
