import { Controller, Get, Param, Post, Req, UseGuards } from '@nestjs/common'
import type { TestIssuer } from '@portcullis/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  AnyScopes,
  AuthPolicy,
  AuthResult,
  Claims,
  CurrentUser,
  InjectAuth,
  JwtAuthGuard,
  type PortcullisAuth,
  type PortcullisAuthResult,
  PortcullisModule,
  Public,
  Scopes,
  type User,
} from '../src/index.js'
import { configFor, issuerForTest, type RunningApp, startApp } from './support.js'

@Controller('orders')
@UseGuards(JwtAuthGuard)
@Scopes('orders')
class OrdersController {
  constructor(@InjectAuth() private readonly auth: PortcullisAuth) {}

  @Get()
  list(@CurrentUser() user: User) {
    return { user: user.id, scopes: user.scopes }
  }

  @Get('write')
  @Scopes('orders:write')
  write() {
    return { ok: true }
  }

  @Get('any')
  @AnyScopes('orders:read', 'orders:admin')
  any(@CurrentUser('email') email: string | undefined) {
    return { email: email ?? null }
  }

  @Get('claims')
  claims(@Claims() claims: Record<string, unknown>, @Claims('sub') sub: string) {
    return { sub, tenant: claims.tenant }
  }

  @Get('result')
  result(@AuthResult() result: PortcullisAuthResult) {
    return { issuer: result.issuer, token: result.token, user: result.user?.subject }
  }

  @Post('revoke')
  async revoke(@Claims('jti') jti: string, @Claims('exp') exp: number) {
    await this.auth.revoke.token(jti, exp)
    return { revoked: jti }
  }

  @Get('request')
  fromRequest(@Req() req: { auth?: PortcullisAuthResult }) {
    return { subject: req.auth?.user?.subject, own: Object.hasOwn(req, 'auth') }
  }

  @Get('open')
  @Public()
  open(@CurrentUser() user: User | undefined) {
    return { open: true, user: user ?? null }
  }
}

@Controller('feed')
@UseGuards(JwtAuthGuard)
class FeedController {
  @Get()
  @AuthPolicy({ optional: true })
  feed(@CurrentUser() user: User | undefined) {
    return { user: user?.id ?? 'anonymous' }
  }

  @Get('issuer/:name')
  @AuthPolicy({ issuers: ['https://other.test'] })
  onlyOther(@Param('name') name: string) {
    return { name }
  }
}

describe('JwtAuthGuard over Express', () => {
  let issuer: TestIssuer
  let server: RunningApp

  beforeEach(async () => {
    issuer = await issuerForTest()
    server = await startApp({
      imports: [
        PortcullisModule.forRoot(
          configFor(issuer, {
            realm: 'orders-api',
            issuers: [
              { issuer: issuer.url },
              { issuer: 'https://other.test', publicKeys: [issuer.keys[0]!.publicJwk] },
            ],
          }),
        ),
      ],
      controllers: [OrdersController, FeedController],
    })
  })

  it('lets a valid token through and hands the handler its user', async () => {
    const token = await issuer.sign({ sub: 'ada', scope: 'orders orders:read' })
    const response = await server.request('/orders', { token })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ user: 'ada', scopes: ['orders', 'orders:read'] })
  })

  it('shows the result as request.auth without adding a property to the Express request', async () => {
    const token = await issuer.sign({ sub: 'ada', scope: 'orders' })
    const response = await server.request('/orders/request', { token })
    expect(await response.json()).toEqual({ subject: 'ada', own: false })
  })

  it('answers 401 with a bare Bearer challenge and a Nest-shaped JSON body when no token is sent', async () => {
    const response = await server.request('/orders')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders-api"')
    expect(await response.json()).toEqual({
      statusCode: 401,
      message: 'Authentication is required.',
      error: 'credentials_missing',
      error_description: 'Authentication is required.',
      code: 'credentials_missing',
    })
  })

  it('answers 401 invalid_token for a token with a bad signature', async () => {
    const token = await issuer.sign({ scope: 'orders' })
    const tampered = `${token.slice(0, -4)}AAAA`
    const response = await server.request('/orders', { token: tampered })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="orders-api", error="invalid_token"/,
    )
    expect(await response.json()).toMatchObject({ code: 'token_signature_invalid' })
  })

  it('answers 401 token_expired for an expired token', async () => {
    const token = await issuer.sign({ scope: 'orders', iat: 1_000, exp: 2_000 })
    const response = await server.request('/orders', { token })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token', code: 'token_expired' })
  })

  it('answers 403 insufficient_scope naming the scopes when a class scope is missing', async () => {
    const token = await issuer.sign({ scope: 'profile' })
    const response = await server.request('/orders', { token })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect(response.headers.get('www-authenticate')).toContain('scope="orders"')
    expect(await response.json()).toMatchObject({ statusCode: 403, error: 'insufficient_scope' })
  })

  it('adds handler scopes to class scopes: both are required', async () => {
    const onlyHandler = await issuer.sign({ scope: 'orders:write' })
    const onlyClass = await issuer.sign({ scope: 'orders' })
    const both = await issuer.sign({ scope: 'orders orders:write' })
    expect((await server.request('/orders/write', { token: onlyHandler })).status).toBe(403)
    const denied = await server.request('/orders/write', { token: onlyClass })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain('scope="orders orders:write"')
    expect((await server.request('/orders/write', { token: both })).status).toBe(200)
  })

  it('accepts any one of @AnyScopes and rejects a token with none of them', async () => {
    const admin = await issuer.sign({ scope: 'orders orders:admin', email: 'ada@example.test' })
    const none = await issuer.sign({ scope: 'orders' })
    const allowed = await server.request('/orders/any', { token: admin })
    expect(allowed.status).toBe(200)
    expect(await allowed.json()).toEqual({ email: 'ada@example.test' })
    const denied = await server.request('/orders/any', { token: none })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain('scope="orders:read orders:admin"')
  })

  it('gives handlers the claims, one claim, and the whole result', async () => {
    const token = await issuer.sign({ sub: 'grace', scope: 'orders', tenant: 't-9' })
    const claims = await server.request('/orders/claims', { token })
    expect(await claims.json()).toEqual({ sub: 'grace', tenant: 't-9' })
    const result = await server.request('/orders/result', { token })
    expect(await result.json()).toEqual({ issuer: issuer.url, token, user: 'grace' })
  })

  it('rejects a token after the app revoked it through the injected Auth', async () => {
    const token = await issuer.sign({ scope: 'orders' })
    expect((await server.request('/orders', { token })).status).toBe(200)
    const revoked = await server.request('/orders/revoke', { method: 'POST', token })
    expect(revoked.status).toBe(201)
    const after = await server.request('/orders', { token })
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(await after.json()).toMatchObject({
      code: 'token_revoked',
      message: 'The access token was revoked.',
    })
  })

  it('lets anyone reach a @Public() handler of a guarded controller', async () => {
    const response = await server.request('/orders/open')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ open: true, user: null })
  })

  it('lets anonymous requests through an optional policy but still rejects a bad token', async () => {
    const anonymous = await server.request('/feed')
    expect(anonymous.status).toBe(200)
    expect(await anonymous.json()).toEqual({ user: 'anonymous' })
    const token = await issuer.sign({ sub: 'ada' })
    expect(await (await server.request('/feed', { token })).json()).toEqual({ user: 'ada' })
    const expired = await issuer.sign({ iat: 1_000, exp: 2_000 })
    expect((await server.request('/feed', { token: expired })).status).toBe(401)
  })

  it('refuses a token from a configured issuer the route does not accept', async () => {
    const token = await issuer.sign({ sub: 'ada' })
    const response = await server.request('/feed/issuer/x', { token })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'token_issuer_unknown' })
    const fromOther = await issuer.sign({ sub: 'ada', iss: 'https://other.test' })
    expect((await server.request('/feed/issuer/x', { token: fromOther })).status).toBe(200)
  })
})
