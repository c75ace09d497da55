import { ConfigError } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it } from 'vitest'
import { usePortcullis } from '../src/index.js'
import { type AuthForTest, authFor, errorCodes, issuerForTest, postGraphQL, serve } from './helpers.js'
import { directiveSchema } from './schema.js'

let issuer: TestIssuer
let counted: AuthForTest

beforeEach(async () => {
  issuer = await issuerForTest()
  counted = authFor(issuer)
})

async function server(options: Parameters<typeof usePortcullis>[1] = {}, resolved: string[] = []) {
  const yoga = createYoga({
    schema: directiveSchema({ onResolve: (field) => resolved.push(field) }),
    plugins: [usePortcullis(counted.auth, options)],
    logging: false,
  })
  return (await serve(yoga)).url
}

describe('usePortcullis: lazy authentication', () => {
  it('answers a protected field and puts user, claims and token on the context', async () => {
    const url = await server()
    const token = await issuer.sign({ email: 'ada@example.test', scope: 'read write', jti: 'jti-ada' })
    const { status, body } = await postGraphQL(url, '{ me { id subject scopes hasToken issuer jti } }', {
      token,
    })
    expect(status).toBe(200)
    expect(body.errors).toBeUndefined()
    expect(body.data).toEqual({
      me: {
        id: 'ada@example.test',
        subject: 'user-1',
        scopes: ['read', 'write'],
        hasToken: true,
        issuer: issuer.url,
        jti: 'jti-ada',
      },
    })
  })

  it('authenticates once per operation however many protected fields resolve', async () => {
    const url = await server()
    const token = await issuer.sign()
    const { status, body } = await postGraphQL(url, '{ me { id } secret requiredSecret items { secret } }', {
      token,
    })
    expect(status).toBe(200)
    expect(body.errors).toBeUndefined()
    expect(body.data?.items).toHaveLength(5)
    expect(counted.calls()).toBe(1)
    await postGraphQL(url, '{ secret items { secret } }', { token })
    expect(counted.calls()).toBe(2)
  })

  it('authenticates a token once per operation even when fields ask for different scopes', async () => {
    const url = await server()
    const token = await issuer.sign({ scope: 'admin' })
    const { body } = await postGraphQL(url, '{ secret adminReport items { secret } }', { token })
    expect(body.data).toMatchObject({ secret: 'the secret', adminReport: 'the report' })
    expect(counted.calls()).toBe(1)
    const denied = await postGraphQL(url, '{ secret adminReport }', {
      token: await issuer.sign({ scope: 'x' }),
    })
    expect(denied.body.data).toEqual({ secret: 'the secret', adminReport: null })
    expect(counted.calls()).toBe(2)
  })

  it('does not look at credentials when no protected field is selected', async () => {
    const url = await server()
    const { status, body } = await postGraphQL(url, '{ hello }', { token: 'not-a-jwt' })
    expect(status).toBe(200)
    expect(body).toEqual({ data: { hello: 'world' } })
    expect(counted.calls()).toBe(0)
  })

  it('a failed protected field yields a field error and null, the rest of the data stays (200)', async () => {
    const url = await server()
    const { status, headers, body } = await postGraphQL(url, '{ hello secret items { id secret } }')
    expect(status).toBe(200)
    expect(headers.get('www-authenticate')).toBeNull()
    expect(body.data?.hello).toBe('world')
    expect(body.data?.secret).toBeNull()
    expect(body.data?.items).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, secret: null })))
    const codes = errorCodes(body)
    expect(codes).toHaveLength(6)
    expect(codes[0]).toEqual({ code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'secret' })
    expect(codes.every((c) => c.code === 'UNAUTHENTICATED')).toBe(true)
    expect(body.errors?.[0]?.message).toBe('Authentication is required.')
    expect(body.errors?.[0]?.extensions?.auth).toEqual({
      error: 'credentials_missing',
      error_description: 'Authentication is required.',
      code: 'credentials_missing',
    })
    expect(body.errors?.[0]?.extensions?.http).toBeUndefined()
    expect(counted.calls()).toBe(1)
  })

  it('answers 401 with WWW-Authenticate when authentication fails the whole operation', async () => {
    const url = await server()
    const { status, headers, body } = await postGraphQL(url, '{ requiredSecret }')
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe('Bearer')
    expect(body.data).toBeNull()
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'requiredSecret' },
    ])
    expect(body.errors?.[0]?.extensions?.http).toBeUndefined()
  })

  it('answers 401 invalid_token for an expired token', async () => {
    const url = await server()
    const token = await issuer.sign({}, { expiresIn: -300 })
    const { status, headers, body } = await postGraphQL(url, '{ requiredSecret }', { token })
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token expired."',
    )
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'token_expired', path: 'requiredSecret' },
    ])
  })

  it('answers 403 insufficient_scope naming the scopes when rights are missing', async () => {
    const url = await server()
    const token = await issuer.sign({ scope: 'read' })
    const { status, headers, body } = await postGraphQL(url, '{ requiredAdminReport }', { token })
    expect(status).toBe(403)
    expect(headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="The credentials lack the required scope.", scope="admin"',
    )
    expect(errorCodes(body)).toEqual([
      { code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'requiredAdminReport' },
    ])
  })

  it('a missing scope on one field leaves the others answered (200)', async () => {
    const url = await server()
    const token = await issuer.sign({ scope: 'read' })
    const { status, body } = await postGraphQL(url, '{ secret adminReport }', { token })
    expect(status).toBe(200)
    expect(body.data).toEqual({ secret: 'the secret', adminReport: null })
    expect(errorCodes(body)).toEqual([{ code: 'FORBIDDEN', auth: 'insufficient_scope', path: 'adminReport' }])
  })

  it('passes errors that are not authentication errors on, masked, without an auth status', async () => {
    const url = await server()
    const token = await issuer.sign()
    const { status, headers, body } = await postGraphQL(url, '{ hello broken }', { token })
    expect(status).toBe(200)
    expect(headers.get('www-authenticate')).toBeNull()
    expect(body.data).toEqual({ hello: 'world', broken: null })
    expect(body.errors?.map((e) => e.message)).toEqual(['Unexpected error.'])
  })
})

describe('usePortcullis options', () => {
  it('partialResults: false fails the operation as soon as a protected field fails', async () => {
    const url = await server({ partialResults: false })
    const { status, headers, body } = await postGraphQL(url, '{ hello secret }')
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe('Bearer')
    expect(body.data).toBeNull()
    expect(errorCodes(body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'credentials_missing', path: 'secret' },
    ])
  })

  it('eager: true identifies the caller before any resolver runs, for unprotected fields too', async () => {
    const url = await server({ eager: true })
    const token = await issuer.sign({ email: 'grace@example.test' })
    const identified = await postGraphQL(url, '{ whoAmI }', { token })
    expect(identified.body).toEqual({ data: { whoAmI: 'grace@example.test' } })
    const anonymous = await postGraphQL(url, '{ whoAmI }')
    expect(anonymous.status).toBe(200)
    expect(anonymous.body).toEqual({ data: { whoAmI: 'anonymous' } })
  })

  it('eager: true rejects a bad token with 401 before any resolver runs', async () => {
    const resolved: string[] = []
    const url = await server({ eager: true }, resolved)
    const token = await issuer.sign({}, { expiresIn: -300 })
    const { status, headers, body } = await postGraphQL(url, '{ hello whoAmI }', { token })
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(body.data).toBeUndefined()
    expect(errorCodes(body)).toEqual([{ code: 'UNAUTHENTICATED', auth: 'token_expired' }])
    expect(resolved).toEqual([])
  })

  it('eager with a policy requires it for the whole operation', async () => {
    const resolved: string[] = []
    const url = await server({ eager: { mode: 'jwt', scopes: ['api'] } }, resolved)
    const missing = await postGraphQL(url, '{ hello }')
    expect(missing.status).toBe(401)
    const token = await issuer.sign({ scope: 'other' })
    const forbidden = await postGraphQL(url, '{ hello }', { token })
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="api"')
    expect(resolved).toEqual([])
    const allowed = await postGraphQL(url, '{ hello }', { token: await issuer.sign({ scope: 'api' }) })
    expect(allowed.body).toEqual({ data: { hello: 'world' } })
  })

  it('getInput reads credentials from wherever the application keeps them', async () => {
    const url = await server({
      getInput: (context) => {
        const request = context.request as Request
        return { headers: { authorization: `Bearer ${request.headers.get('x-session-token') ?? ''}` } }
      },
    })
    const token = await issuer.sign()
    const viaCustomHeader = await postGraphQL(url, '{ secret }', { headers: { 'x-session-token': token } })
    expect(viaCustomHeader.body).toEqual({ data: { secret: 'the secret' } })
  })

  it('refuses, when the server is built, an eager policy core cannot honour', () => {
    expect(() => usePortcullis(counted.auth, { eager: { mode: 'project' } })).toThrow(ConfigError)
  })
})

describe('without the plugin', () => {
  it('a protected field fails closed', async () => {
    const yoga = createYoga({ schema: directiveSchema(), logging: false })
    const { url } = await serve(yoga)
    const token = await issuer.sign()
    const { body } = await postGraphQL(url, '{ hello secret }', { token })
    expect(body.data).toEqual({ hello: 'world', secret: null })
    expect(body.errors?.map((e) => e.message)).toEqual(['Unexpected error.'])
    expect(counted.calls()).toBe(0)
  })
})
