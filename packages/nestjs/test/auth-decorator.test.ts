import { Controller, Get, UseGuards } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { ConfigError } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  AnyAuthGuard,
  Auth,
  AuthPolicy,
  Claims,
  CombinedAuthGuard,
  CurrentProject,
  JwtAuthGuard,
  PortcullisModule,
  ProjectAuthGuard,
  Scopes,
} from '../src/index.js'
import { authFor, configFor, issuerForTest, RecordingAuth, startApp } from './support.js'

@Controller('reports')
class ReportsController {
  @Get()
  @Auth('jwt', { scopes: ['reports:read'] })
  read(@Claims('sub') sub: string) {
    return { sub }
  }

  @Get('optional')
  @Auth('jwt', { optional: true })
  optional(@Claims('sub') sub: string | undefined) {
    return { sub: sub ?? null }
  }

  @Get('default')
  @Auth()
  byDefault(@CurrentProject() project: unknown) {
    return { project: project ?? null }
  }
}

@Controller('billing')
@Auth('jwt', { scopes: ['billing'] })
class BillingController {
  @Get()
  read() {
    return { billing: true }
  }

  @Get('refunds')
  @Scopes('refunds')
  refunds() {
    return { refunds: true }
  }
}

describe('@Auth(mode, policy)', () => {
  let issuer: TestIssuer
  beforeEach(async () => {
    issuer = await issuerForTest()
  })

  it('applies the guard and the policy in one line', async () => {
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [ReportsController],
    })
    expect((await server.request('/reports')).status).toBe(401)
    const reader = await issuer.sign({ sub: 'ada', scope: 'reports:read' })
    const other = await issuer.sign({ sub: 'ada', scope: 'orders:read' })
    const allowed = await server.request('/reports', { token: reader })
    expect(allowed.status).toBe(200)
    expect(await allowed.json()).toEqual({ sub: 'ada' })
    const denied = await server.request('/reports', { token: other })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain('scope="reports:read"')
  })

  it('guards a whole controller, adding handler scopes to its own', async () => {
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [BillingController],
    })
    expect((await server.request('/billing')).status).toBe(401)
    const billing = await issuer.sign({ scope: 'billing' })
    expect((await server.request('/billing', { token: billing })).status).toBe(200)
    expect((await server.request('/billing/refunds', { token: billing })).status).toBe(403)
    const both = await issuer.sign({ scope: 'billing refunds' })
    expect((await server.request('/billing/refunds', { token: both })).status).toBe(200)
  })

  it('carries optional: anonymous gets through, a token is still read', async () => {
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [ReportsController],
    })
    expect(await (await server.request('/reports/optional')).json()).toEqual({ sub: null })
    const token = await issuer.sign({ sub: 'grace' })
    expect(await (await server.request('/reports/optional', { token })).json()).toEqual({ sub: 'grace' })
  })

  it('defaults to jwt mode; @CurrentProject() is empty for a bearer token', async () => {
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [ReportsController],
    })
    const response = await server.request('/reports/default', { token: await issuer.sign() })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ project: null })
  })

  it('compiles each handler policy once, at start-up, not per request', async () => {
    const auth = new RecordingAuth(authFor(issuer))
    const server = await startApp({
      imports: [PortcullisModule.forRoot(auth)],
      controllers: [ReportsController],
    })
    const routeCalls = () => auth.policyCalls.filter((call) => Object.keys(call as object).length > 1)
    expect(routeCalls()).toEqual([
      { mode: 'jwt', scopes: ['reports:read'] },
      { mode: 'jwt', scopes: [], optional: true },
      { mode: 'jwt', scopes: [] },
    ])
    const bootCalls = auth.policyCalls.length
    const token = await issuer.sign({ scope: 'reports:read' })
    for (let i = 0; i < 3; i++) expect((await server.request('/reports', { token })).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await server.request('/reports/optional')).status).toBe(200)
    expect(auth.policyCalls).toHaveLength(bootCalls)
  })
})

describe('modes that need project authentication, when it is not configured', () => {
  let issuer: TestIssuer
  beforeEach(async () => {
    issuer = await issuerForTest()
  })

  for (const [mode, guardName] of [
    ['project', 'ProjectAuthGuard'],
    ['combined', 'CombinedAuthGuard'],
    ['any', 'AnyAuthGuard'],
  ] as const) {
    it(`@Auth('${mode}') fails start-up with a ConfigError naming ${guardName} and the mode`, async () => {
      @Controller('projects')
      class ProjectsController {
        @Get()
        @Auth(mode)
        list() {
          return []
        }
      }
      const attempt = startApp({
        imports: [PortcullisModule.forRoot(configFor(issuer))],
        controllers: [ProjectsController],
      })
      await expect(attempt).rejects.toBeInstanceOf(ConfigError)
      await expect(attempt).rejects.toThrow(
        `Invalid Portcullis configuration (${guardName}):\n  - policy.mode: "${mode}" needs project authentication: configure projects.signingSecret or mercury.baseUrl, and service`,
      )
    })
  }

  it('each mode guard fails start-up in @UseGuards and as a global guard', async () => {
    for (const guard of [ProjectAuthGuard, CombinedAuthGuard, AnyAuthGuard]) {
      @Controller('projects')
      @UseGuards(guard)
      class GuardedController {
        @Get()
        list() {
          return []
        }
      }
      await expect(
        startApp({
          imports: [PortcullisModule.forRoot(configFor(issuer))],
          controllers: [GuardedController],
        }),
      ).rejects.toThrow(`(${guard.name})`)
      await expect(
        startApp({
          imports: [PortcullisModule.forRoot(configFor(issuer))],
          providers: [{ provide: APP_GUARD, useClass: guard }],
        }),
      ).rejects.toThrow(`(${guard.name})`)
    }
  })

  it('a route whose @AuthPolicy names project mode under a jwt guard fails start-up naming the handler', async () => {
    @Controller('mixed')
    @UseGuards(JwtAuthGuard)
    class MixedController {
      @Get('project')
      @AuthPolicy({ mode: 'project' })
      project() {
        return { reached: true }
      }

      @Get('jwt')
      jwt() {
        return { reached: true }
      }
    }
    const attempt = startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [MixedController],
    })
    await expect(attempt).rejects.toBeInstanceOf(ConfigError)
    await expect(attempt).rejects.toThrow(
      'Invalid Portcullis configuration (MixedController.project):\n  - policy.mode: "project" needs project authentication',
    )
  })

  it('a policy naming an issuer that is not configured fails start-up naming the handler', async () => {
    @Controller('strict')
    class StrictController {
      @Get()
      @Auth('jwt', { issuers: ['https://nobody.test'] })
      read() {
        return { reached: true }
      }
    }
    await expect(
      startApp({ imports: [PortcullisModule.forRoot(configFor(issuer))], controllers: [StrictController] }),
    ).rejects.toThrow(
      '(StrictController.read):\n  - policy.issuers: https://nobody.test is not a configured issuer',
    )
  })
})
