import { request as httpRequest } from 'node:http'
import { Controller, Get, Res, UseGuards } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { AuthError } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  AnyScopes,
  AuthResult,
  CurrentUser,
  JwtAuthGuard,
  PORTCULLIS_AUTH,
  type PortcullisAuth,
  type PortcullisAuthResult,
  PortcullisModule,
  Public,
  sendAuthErrorHeaders,
  toHttpException,
  type User,
} from '../src/index.js'
import { configFor, issuerForTest, type Platform, type RunningApp, startApp } from './support.js'

@Controller('items')
@UseGuards(JwtAuthGuard)
class ItemsController {
  @Get()
  @AnyScopes('items:read', 'items:admin')
  list(@CurrentUser() user: User, @AuthResult() result: PortcullisAuthResult) {
    return { user: user.id, issuer: result.issuer }
  }

  @Get('public')
  @Public()
  open() {
    return { open: true }
  }

  /** A handler that refuses on its own, as an app calling `auth.authenticate` itself would. */
  @Get('limited')
  @Public()
  limited(@Res({ passthrough: true }) response: unknown) {
    const error = new AuthError('rate_limited', { retryAfterSec: 7.2 })
    sendAuthErrorHeaders(response, error)
    throw toHttpException(error)
  }
}

describe.each<Platform>(['express', 'fastify'])('on the %s platform', (platform) => {
  let issuer: TestIssuer
  let server: RunningApp

  beforeEach(async () => {
    issuer = await issuerForTest()
    server = await startApp(
      { imports: [PortcullisModule.forRoot(configFor(issuer))], controllers: [ItemsController] },
      { platform },
    )
  })

  it('lets a valid token through with its user and result', async () => {
    const response = await server.request('/items', {
      token: await issuer.sign({ sub: 'ada', scope: 'items:read' }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ user: 'ada', issuer: issuer.url })
  })

  it('answers 401 with WWW-Authenticate and the JSON body', async () => {
    const response = await server.request('/items', { token: 'not-a-jwt' })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual({
      statusCode: 401,
      message: 'The access token is invalid.',
      error: 'invalid_token',
      error_description: 'The access token is invalid.',
      code: 'token_malformed',
    })
  })

  it('answers 400 invalid_request for a malformed Authorization header', async () => {
    const response = await server.request('/items', { headers: { authorization: 'Bearer a b c' } })
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
    expect(await response.json()).toMatchObject({ statusCode: 400, code: 'invalid_request' })
  })

  it('refuses two Authorization headers with 400 instead of taking the first', async () => {
    const token = await issuer.sign({ sub: 'ada', scope: 'items:read' })
    // fetch would fold them into one line; node:http sends an array as separate header lines.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${server.url}/items`)
      req.setHeader('authorization', [`Bearer ${token}`, 'Bearer attacker-chosen'])
      req.on('response', (response) => {
        response.resume()
        resolve(response.statusCode)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(400)
    // One Authorization header with the same token is served: the refusal is about the repeat.
    expect((await server.request('/items', { token })).status).toBe(200)
  })

  it('answers 403 insufficient_scope with the accepted scopes', async () => {
    const response = await server.request('/items', { token: await issuer.sign({ scope: 'other' }) })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="The credentials lack the required scope.", scope="items:read items:admin"',
    )
    expect(await response.json()).toMatchObject({ statusCode: 403, error: 'insufficient_scope' })
  })

  it('answers 401 token_revoked once the token is revoked', async () => {
    const token = await issuer.sign({ scope: 'items:admin', jti: `jti-${platform}` })
    expect((await server.request('/items', { token })).status).toBe(200)
    const exp = Math.floor(Date.now() / 1000) + 300
    await server.app.get<string, PortcullisAuth>(PORTCULLIS_AUTH).revoke.token(`jti-${platform}`, exp)
    const response = await server.request('/items', { token })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'token_revoked' })
  })

  it('serves @Public() routes without credentials', async () => {
    expect(await (await server.request('/items/public')).json()).toEqual({ open: true })
  })

  it('sends Retry-After with a 429 rendered by toHttpException and sendAuthErrorHeaders', async () => {
    const response = await server.request('/items/limited')
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('8')
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toEqual({
      statusCode: 429,
      message: 'Too many failed attempts; retry later.',
      error: 'rate_limited',
      error_description: 'Too many failed attempts; retry later.',
      code: 'rate_limited',
    })
  })
})

describe('a global guard on Fastify', () => {
  it('protects routes and honours @Public()', async () => {
    const issuer = await issuerForTest()
    const server = await startApp(
      {
        imports: [PortcullisModule.forRoot(configFor(issuer))],
        controllers: [ItemsController],
        providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],
      },
      { platform: 'fastify' },
    )
    expect((await server.request('/items')).status).toBe(401)
    expect((await server.request('/items/public')).status).toBe(200)
    expect(
      (await server.request('/items', { token: await issuer.sign({ scope: 'items:read' }) })).status,
    ).toBe(200)
  })
})
