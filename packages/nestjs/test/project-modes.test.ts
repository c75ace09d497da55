import { Controller, Get, Req, UseGuards } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { type MercuryStandIn, startTestIssuer, type TestIssuer } from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AnyAuthGuard,
  Auth,
  AuthPolicy,
  CombinedAuthGuard,
  CurrentProject,
  CurrentUser,
  JwtAuthGuard,
  type PortcullisAuthResult,
  PortcullisModule,
  ProjectAuthGuard,
  type ProjectIdentity,
  type User,
} from '../src/index.js'
import {
  appCredentials,
  PROJECT_A,
  PROJECT_B,
  projectConfigFor,
  SERVICE_ID,
  startMercury,
} from './project-support.js'
import { AUDIENCE, type RunningApp, startApp } from './support.js'

@Controller('project')
class ProjectController {
  @Get()
  @Auth('project')
  show(@CurrentProject() project: ProjectIdentity, @Req() request: { auth?: PortcullisAuthResult }) {
    return { project, user: request.auth?.user ?? null, onRequest: request.auth?.project === project }
  }

  @Get('uuid')
  @Auth('project')
  uuid(@CurrentProject('projectUuid') uuid: string) {
    return { uuid }
  }

  @Get('write')
  @Auth('project', { projectScopes: ['orders:write'] })
  write() {
    return { written: true }
  }

  @Get('services')
  @Auth('project', { projectKinds: ['service'] })
  services(@CurrentProject() caller: ProjectIdentity) {
    return caller.tokenType === 'service' ? { service: caller.clientId } : { other: caller.tokenType }
  }
}

@Controller('combined')
@UseGuards(CombinedAuthGuard)
class CombinedController {
  @Get()
  both(@CurrentUser() user: User, @CurrentProject() project: ProjectIdentity) {
    return { user: user.id, project: project.projectUuid }
  }

  @Get('scoped')
  @AuthPolicy({ userScopes: ['orders:read'], projectScopes: ['orders:write'] })
  scoped() {
    return { scoped: true }
  }
}

@Controller('any')
@Auth('any')
class AnyController {
  @Get()
  who(
    @CurrentUser('id') user: string | undefined,
    @CurrentProject('projectUuid') project: string | undefined,
  ) {
    return { user: user ?? null, project: project ?? null }
  }

  @Get('optional')
  @AuthPolicy({ optional: true })
  maybe(
    @CurrentUser('id') user: string | undefined,
    @CurrentProject('projectUuid') project: string | undefined,
  ) {
    return { user: user ?? null, project: project ?? null }
  }
}

@Controller('mixed')
@UseGuards(JwtAuthGuard)
class MixedController {
  @Get()
  @AuthPolicy({ mode: 'project' })
  project(@CurrentProject('projectUuid') uuid: string) {
    return { uuid }
  }
}

let issuer: TestIssuer
let mercury: MercuryStandIn
beforeAll(async () => {
  ;[issuer, mercury] = await Promise.all([
    startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] }),
    startMercury(),
  ])
})
afterAll(async () => {
  await Promise.all([issuer?.close(), mercury?.close()])
})

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

describe('project, combined and any modes over Express', () => {
  let server: RunningApp
  beforeAll(async () => {
    // One app for the read-only tests below; each has its own Auth only where state matters (rate limits).
    server = await startApp(
      {
        imports: [PortcullisModule.forRoot(projectConfigFor(issuer, mercury))],
        controllers: [ProjectController, CombinedController, AnyController, MixedController],
      },
      { shared: true },
    )
  })
  afterAll(() => server?.app.close())

  describe('project mode', () => {
    it('serves app credentials and hands the handler the project through @CurrentProject() and request.auth', async () => {
      const response = await server.request('/project', { headers: appCredentials('app-a', 'pw-a') })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { project: unknown }
      expect(body.project).toMatchObject({
        tokenType: 'credentials',
        projectUuid: PROJECT_A,
        projectName: 'Alpha',
        appId: 'app-a',
      })
      expect(body).toMatchObject({ user: null, onRequest: true })
      const uuid = await server.request('/project/uuid', { headers: appCredentials('app-a', 'pw-a') })
      expect(await uuid.json()).toEqual({ uuid: PROJECT_A })
    })

    it('answers 401 project_credentials_invalid for a wrong secret and for an unknown app', async () => {
      for (const headers of [appCredentials('app-a', 'wrong'), appCredentials('nobody', 'pw-a')]) {
        const response = await server.request('/project', { headers })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe('Bearer')
        expect(await response.json()).toEqual({
          statusCode: 401,
          message: 'The project credentials are invalid.',
          error: 'project_credentials_invalid',
          error_description: 'The project credentials are invalid.',
          code: 'project_credentials_invalid',
        })
      }
    })

    it('answers 403 when the project has not enabled this service, naming no service', async () => {
      const response = await server.request('/project', { headers: appCredentials('app-off', 'pw-off') })
      expect(response.status).toBe(403)
      const body = await response.text()
      expect(JSON.parse(body)).toMatchObject({ statusCode: 403, code: 'insufficient_scope' })
      expect(body).not.toContain('svc-other')
      expect(body).not.toContain(SERVICE_ID)
    })

    it('answers 401 credentials_missing without project credentials, even with a valid user token', async () => {
      for (const headers of [{}, bearer(await issuer.sign())]) {
        const response = await server.request('/project', { headers })
        expect(response.status).toBe(401)
        expect(await response.json()).toMatchObject({ code: 'credentials_missing' })
      }
    })

    it('accepts a Mercury project token in x-project-token, with or without the Bearer prefix', async () => {
      const token = mercury.mintProjectToken(PROJECT_A, { enabledServices: [SERVICE_ID] })
      for (const value of [token, `Bearer ${token}`]) {
        const response = await server.request('/project', { headers: { 'x-project-token': value } })
        expect(response.status).toBe(200)
        expect(((await response.json()) as { project: unknown }).project).toMatchObject({
          tokenType: 'project',
          projectUuid: PROJECT_A,
        })
      }
    })

    it('requires the route’s project scopes: 403 insufficient_scope naming them, else 200', async () => {
      const reader = mercury.mintProjectToken(PROJECT_A, { scopes: ['orders:read'] })
      const denied = await server.request('/project/write', { headers: { 'x-project-token': reader } })
      expect(denied.status).toBe(403)
      expect(denied.headers.get('www-authenticate')).toContain('scope="orders:write"')
      const writer = mercury.mintProjectToken(PROJECT_A, { scopes: ['orders:write'] })
      expect(
        (await server.request('/project/write', { headers: { 'x-project-token': writer } })).status,
      ).toBe(200)
    })

    it('takes only Mercury service tokens on a projectKinds: [service] route (403 access_denied for others)', async () => {
      const service = mercury.mintServiceToken({ clientId: 'billing' })
      const ok = await server.request('/project/services', { headers: { 'x-project-token': service } })
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ service: 'billing' })
      for (const headers of [
        { 'x-project-token': mercury.mintProjectToken(PROJECT_A) },
        appCredentials('app-a', 'pw-a'),
      ]) {
        const denied = await server.request('/project/services', { headers })
        expect(denied.status).toBe(403)
        expect(await denied.json()).toMatchObject({ code: 'access_denied', error: 'insufficient_scope' })
      }
    })

    it('serves a route whose @AuthPolicy names project mode under a jwt guard', async () => {
      const response = await server.request('/mixed', { headers: appCredentials('app-b', 'pw-b') })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ uuid: PROJECT_B })
      expect((await server.request('/mixed', { headers: bearer(await issuer.sign()) })).status).toBe(401)
    })
  })

  describe('combined mode', () => {
    it('needs both a user token and project credentials, and hands the handler both', async () => {
      const token = await issuer.sign({ sub: 'ada', project_uuid: PROJECT_A })
      const both = await server.request('/combined', {
        headers: { ...bearer(token), ...appCredentials('app-a', 'pw-a') },
      })
      expect(both.status).toBe(200)
      expect(await both.json()).toEqual({ user: 'ada', project: PROJECT_A })
      for (const headers of [bearer(token), appCredentials('app-a', 'pw-a')]) {
        const response = await server.request('/combined', { headers })
        expect(response.status).toBe(401)
        expect(await response.json()).toMatchObject({ code: 'credentials_missing' })
      }
    })

    it('answers 403 access_denied for a user token bound to another project', async () => {
      const token = await issuer.sign({ sub: 'ada', project_uuid: PROJECT_A })
      const response = await server.request('/combined', {
        headers: { ...bearer(token), ...appCredentials('app-b', 'pw-b') },
      })
      expect(response.status).toBe(403)
      expect(await response.json()).toMatchObject({ code: 'access_denied' })
    })

    it('answers 401 for a wrong project secret next to a valid user token', async () => {
      const response = await server.request('/combined', {
        headers: {
          ...bearer(await issuer.sign({ project_uuid: PROJECT_A })),
          ...appCredentials('app-a', 'x'),
        },
      })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ code: 'project_credentials_invalid' })
    })

    it('requires user scopes of the user token and project scopes of the project', async () => {
      const project = { 'x-project-token': mercury.mintProjectToken(PROJECT_A, { scopes: ['orders:write'] }) }
      const reader = await issuer.sign({ project_uuid: PROJECT_A, scope: 'orders:read' })
      const writer = await issuer.sign({ project_uuid: PROJECT_A, scope: 'orders:write' })
      expect(
        (await server.request('/combined/scoped', { headers: { ...bearer(reader), ...project } })).status,
      ).toBe(200)
      const denied = await server.request('/combined/scoped', { headers: { ...bearer(writer), ...project } })
      expect(denied.status).toBe(403)
      expect(await denied.json()).toMatchObject({ code: 'insufficient_scope' })
    })
  })

  describe('any mode', () => {
    it('takes whichever credential is present, and both when both are', async () => {
      const token = await issuer.sign({ sub: 'ada', project_uuid: PROJECT_A })
      const cases: [Record<string, string>, unknown][] = [
        [bearer(token), { user: 'ada', project: null }],
        [appCredentials('app-b', 'pw-b'), { user: null, project: PROJECT_B }],
        [{ 'x-project-token': mercury.mintProjectToken(PROJECT_A) }, { user: null, project: PROJECT_A }],
        [
          { ...bearer(token), ...appCredentials('app-a', 'pw-a') },
          { user: 'ada', project: PROJECT_A },
        ],
      ]
      for (const [headers, expected] of cases) {
        const response = await server.request('/any', { headers })
        expect(response.status).toBe(200)
        expect(await response.json()).toEqual(expected)
      }
      expect((await server.request('/any')).status).toBe(401)
    })

    it('fails when either of two credentials fails: a bad secret next to a good token is 401', async () => {
      const response = await server.request('/any', {
        headers: { ...bearer(await issuer.sign()), ...appCredentials('app-a', 'bad') },
      })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ code: 'project_credentials_invalid' })
    })

    it('lets anonymous requests through an optional route, but not bad credentials', async () => {
      const anonymous = await server.request('/any/optional')
      expect(anonymous.status).toBe(200)
      expect(await anonymous.json()).toEqual({ user: null, project: null })
      const project = await server.request('/any/optional', { headers: appCredentials('app-b', 'pw-b') })
      expect(await project.json()).toEqual({ user: null, project: PROJECT_B })
      const bad = await server.request('/any/optional', { headers: appCredentials('app-b', 'nope') })
      expect(bad.status).toBe(401)
    })
  })
})

describe('guards of project modes at start-up, with project authentication configured', () => {
  it('boot in @UseGuards and as a global guard, and authenticate', async () => {
    for (const guard of [ProjectAuthGuard, CombinedAuthGuard, AnyAuthGuard]) {
      @Controller('guarded')
      @UseGuards(guard)
      class GuardedController {
        @Get()
        list(@CurrentProject('projectUuid') uuid: string) {
          return { uuid }
        }
      }
      const token = await issuer.sign({ project_uuid: PROJECT_A })
      const headers = { ...bearer(token), ...appCredentials('app-a', 'pw-a') }
      for (const metadata of [
        { controllers: [GuardedController] },
        { controllers: [GuardedController], providers: [{ provide: APP_GUARD, useClass: guard }] },
      ]) {
        const server = await startApp({
          imports: [PortcullisModule.forRoot(projectConfigFor(issuer, mercury))],
          ...metadata,
        })
        const response = await server.request('/guarded', { headers })
        expect(response.status).toBe(200)
        expect(await response.json()).toEqual({ uuid: PROJECT_A })
        expect((await server.request('/guarded')).status).toBe(401)
      }
    }
  })
})
