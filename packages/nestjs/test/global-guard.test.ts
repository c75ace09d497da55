import { Controller, Get } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import type { AuthEvent } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { Auth, CurrentUser, JwtAuthGuard, PortcullisModule, Public, Scopes, type User } from '../src/index.js'
import { configFor, issuerForTest, type RunningApp, startApp } from './support.js'

@Controller()
class AppController {
  @Get('private')
  private(@CurrentUser() user: User) {
    return { user: user.id }
  }

  @Get('health')
  @Public()
  health() {
    return { status: 'ok' }
  }

  @Get('admin')
  @Scopes('admin')
  admin() {
    return { admin: true }
  }

  @Get('audited')
  @Auth('jwt', { scopes: ['audit'] })
  audited() {
    return { audited: true }
  }
}

@Controller('docs')
@Public()
class DocsController {
  @Get()
  index() {
    return { docs: true }
  }

  @Get('drafts')
  @Scopes('editor')
  drafts() {
    return { drafts: true }
  }
}

describe('JwtAuthGuard as a global guard (APP_GUARD)', () => {
  let issuer: TestIssuer
  let server: RunningApp
  let events: AuthEvent[]

  beforeEach(async () => {
    issuer = await issuerForTest()
    events = []
    server = await startApp({
      imports: [
        PortcullisModule.forRoot(configFor(issuer), {
          authOptions: { onEvent: (event) => events.push(event) },
        }),
      ],
      controllers: [AppController, DocsController],
      providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],
    })
  })

  it('protects every route', async () => {
    const missing = await server.request('/private')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    const ok = await server.request('/private', { token: await issuer.sign({ sub: 'ada' }) })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ user: 'ada' })
  })

  it('lets @Public() handlers and controllers through without credentials', async () => {
    expect(await (await server.request('/health')).json()).toEqual({ status: 'ok' })
    expect(await (await server.request('/docs')).json()).toEqual({ docs: true })
  })

  it('enforces the requirements a handler declares inside a @Public() controller', async () => {
    expect((await server.request('/docs/drafts')).status).toBe(401)
    expect(
      (await server.request('/docs/drafts', { token: await issuer.sign({ scope: 'reader' }) })).status,
    ).toBe(403)
    expect(
      (await server.request('/docs/drafts', { token: await issuer.sign({ scope: 'editor' }) })).status,
    ).toBe(200)
  })

  it('reads @Scopes() on routes that have no guard of their own', async () => {
    expect((await server.request('/admin', { token: await issuer.sign({ scope: 'user' }) })).status).toBe(403)
    expect((await server.request('/admin', { token: await issuer.sign({ scope: 'admin' }) })).status).toBe(
      200,
    )
  })

  it('authenticates once when @Auth adds a route guard with the same policy', async () => {
    const token = await issuer.sign({ scope: 'audit' })
    expect((await server.request('/audited', { token })).status).toBe(200)
    expect(events.filter((event) => event.type === 'auth.success')).toHaveLength(1)
    expect((await server.request('/audited', { token: await issuer.sign({ scope: 'other' }) })).status).toBe(
      403,
    )
  })
})
