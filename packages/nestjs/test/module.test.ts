import { Controller, Get, Inject, Module, UseGuards } from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import { type AuthEvent, ConfigError, createAuth } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  CurrentUser,
  InjectAuth,
  JwtAuthGuard,
  PORTCULLIS_AUTH,
  type PortcullisAuth,
  PortcullisModule,
  type User,
} from '../src/index.js'
import { AUDIENCE, authFor, configFor, issuerForTest, RecordingAuth, startApp } from './support.js'

@Controller('me')
@UseGuards(JwtAuthGuard)
class MeController {
  constructor(
    @InjectAuth() private readonly auth: PortcullisAuth,
    @Inject(PORTCULLIS_AUTH) private readonly sameAuth: PortcullisAuth,
  ) {}

  @Get()
  me(@CurrentUser() user: User) {
    return {
      user: user.id,
      issuers: this.auth.config.issuers.map((one) => one.issuer),
      same: this.auth === this.sameAuth,
    }
  }
}

describe('PortcullisModule', () => {
  let issuer: TestIssuer
  beforeEach(async () => {
    issuer = await issuerForTest()
  })

  it('forRoot builds the Auth from a core configuration and injects it by token and by @InjectAuth()', async () => {
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [MeController],
    })
    const response = await server.request('/me', { token: await issuer.sign({ sub: 'ada' }) })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ user: 'ada', issuers: [issuer.url], same: true })
  })

  it('forRoot passes authOptions to createAuth', async () => {
    const events: AuthEvent['type'][] = []
    const server = await startApp({
      imports: [
        PortcullisModule.forRoot(configFor(issuer), {
          authOptions: { onEvent: (event) => events.push(event.type) },
        }),
      ],
      controllers: [MeController],
    })
    await server.request('/me', { token: await issuer.sign() })
    expect(events).toContain('auth.success')
  })

  it('fails start-up with the ConfigError naming the field when the configuration is invalid', async () => {
    const invalid = { issuers: [{ issuer: issuer.url }] } // no audience anywhere
    await expect(
      startApp({ imports: [PortcullisModule.forRoot(invalid)], controllers: [MeController] }),
    ).rejects.toThrow(/issuers\[0\]\.audience: an audience is required/)
  })

  it('forRoot accepts an existing Auth and app.close() closes it', async () => {
    const auth = new RecordingAuth(authFor(issuer))
    const server = await startApp({ imports: [PortcullisModule.forRoot(auth)], controllers: [MeController] })
    expect((await server.request('/me', { token: await issuer.sign() })).status).toBe(200)
    expect(auth.closeCalls).toBe(0)
    await server.app.close()
    expect(auth.closeCalls).toBe(1)
  })

  it('leaves the Auth open on shutdown with closeOnShutdown: false', async () => {
    const auth = new RecordingAuth(authFor(issuer))
    const server = await startApp({
      imports: [PortcullisModule.forRoot(auth, { closeOnShutdown: false })],
      controllers: [MeController],
    })
    await server.app.close()
    expect(auth.closeCalls).toBe(0)
  })

  it('forRootAsync reads its configuration from ConfigService', async () => {
    const server = await startApp({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ auth: { issuer: issuer.url, audience: AUDIENCE } })],
        }),
        PortcullisModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            audience: config.getOrThrow<string>('auth.audience'),
            issuers: [{ issuer: config.getOrThrow<string>('auth.issuer') }],
          }),
        }),
      ],
      controllers: [MeController],
    })
    const response = await server.request('/me', { token: await issuer.sign({ sub: 'grace' }) })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ user: 'grace', issuers: [issuer.url] })
    expect((await server.request('/me')).status).toBe(401)
  })

  it('forRootAsync accepts an Auth from an async factory and closes it on shutdown', async () => {
    const auth = new RecordingAuth(authFor(issuer))
    const server = await startApp({
      imports: [
        PortcullisModule.forRootAsync({
          useFactory: async () => {
            await auth.ready()
            return auth
          },
        }),
      ],
      controllers: [MeController],
    })
    expect((await server.request('/me', { token: await issuer.sign() })).status).toBe(200)
    await server.app.close()
    expect(auth.closeCalls).toBe(1)
  })

  it('with global: false serves the module that imports it, and a module that does not cannot boot', async () => {
    @Module({
      imports: [PortcullisModule.forRoot(configFor(issuer), { global: false })],
      controllers: [MeController],
    })
    class ScopedModule {}
    const server = await startApp({ imports: [ScopedModule] })
    expect((await server.request('/me', { token: await issuer.sign() })).status).toBe(200)

    @Module({ controllers: [MeController] })
    class OutsideModule {}
    await expect(
      startApp({ imports: [PortcullisModule.forRoot(configFor(issuer), { global: false }), OutsideModule] }),
    ).rejects.toThrow(/PORTCULLIS_AUTH/)
  })

  it('surfaces a factory that returns a bad configuration as a ConfigError at start-up', async () => {
    const attempt = startApp({
      imports: [PortcullisModule.forRootAsync({ useFactory: () => ({ audience: AUDIENCE, issuers: [{}] }) })],
      controllers: [MeController],
    })
    await expect(attempt).rejects.toBeInstanceOf(ConfigError)
  })

  it('passes an Auth made by createAuth through unchanged', async () => {
    const auth = createAuth(configFor(issuer))
    const server = await startApp({ imports: [PortcullisModule.forRoot(auth)] })
    expect(server.app.get(PORTCULLIS_AUTH)).toBe(auth)
  })
})
