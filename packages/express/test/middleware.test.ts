import { type Auth, type AuthInput, ConfigError } from '@portcullis/core'
import type { Request, RequestHandler, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { portcullis } from '../src/index.js'
import { authFor, EXPRESS_VERSIONS, onCleanup, request, serve, useIssuer } from './support.js'

const issuer = useIssuer()

function echoAuth(req: Request, res: Response): void {
  res.json({ authenticated: req.auth !== undefined, auth: req.auth })
}

describe.each(EXPRESS_VERSIONS)('$name middleware', ({ express, major, version }) => {
  /** An app with one route, GET /me, behind `guard`, answering with what the guard put on req.auth. */
  async function appWith(guard: RequestHandler): Promise<string> {
    const app = express()
    app.get('/me', guard, echoAuth)
    return serve(app)
  }

  it(`runs on the Express major it is named after (${version})`, () => {
    expect(version.split('.')[0]).toBe(String(major))
  })

  it('lets a valid bearer token through and puts user, claims, token and issuer on req.auth', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())
    const token = await issuer().sign({
      sub: 'ada',
      email: 'ada@example.test',
      scope: 'notes:read notes:write',
    })

    const reply = await request(`${base}/me`, token)

    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      authenticated: true,
      auth: {
        token,
        issuer: issuer().url,
        user: { id: 'ada@example.test', subject: 'ada', scopes: ['notes:read', 'notes:write'] },
        claims: { sub: 'ada', email: 'ada@example.test', iss: issuer().url },
      },
    })
  })

  it('answers 401 with a bare Bearer challenge and a JSON body when no token is sent', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())

    const reply = await request(`${base}/me`)

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe('Bearer')
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
    expect(reply.body).toEqual({
      error: 'credentials_missing',
      error_description: 'Authentication is required.',
      code: 'credentials_missing',
    })
  })

  it('treats another Authorization scheme as no token, with the configured realm in the challenge', async () => {
    const auth = authFor(issuer(), { realm: 'notes' })
    const base = await appWith(portcullis(auth).jwtAuth())

    const reply = await request(`${base}/me`, undefined, { headers: { authorization: 'Basic YWRhOnB3' } })

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="notes"')
  })

  it('answers 401 invalid_token for a token that is not a JWT', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())

    const reply = await request(`${base}/me`, 'not-a-jwt')

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token is invalid."',
    )
    expect(reply.body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token is invalid.',
      code: 'token_malformed',
    })
  })

  it('answers 400 invalid_request for malformed Bearer credentials', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())

    const reply = await request(`${base}/me`, undefined, { headers: { authorization: 'Bearer two words' } })

    expect(reply.status).toBe(400)
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/)
    expect(reply.body).toMatchObject({ error: 'invalid_request', code: 'invalid_request' })
  })

  it('answers 401 for a token whose signature does not verify', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())
    const [header, payload] = (await issuer().sign()).split('.')
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`

    const reply = await request(`${base}/me`, forged)

    expect(reply.status).toBe(401)
    expect(reply.body).toMatchObject({ error: 'invalid_token', code: 'token_signature_invalid' })
  })

  it('answers 401 token_expired for an expired token', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())
    const now = Math.floor(Date.now() / 1000)
    const token = await issuer().sign({ iat: now - 600, exp: now - 120 })

    const reply = await request(`${base}/me`, token)

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token expired."',
    )
    expect(reply.body).toEqual({
      error: 'invalid_token',
      error_description: 'The access token expired.',
      code: 'token_expired',
    })
  })

  it('answers 401 token_revoked once the token is revoked, though it was accepted before', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await issuer().sign({ jti: 'token-7', exp })
    expect((await request(`${base}/me`, token)).status).toBe(200)

    await auth.revoke.token('token-7', exp)
    const reply = await request(`${base}/me`, token)

    expect(reply.status).toBe(401)
    expect(reply.body).toMatchObject({ error: 'invalid_token', code: 'token_revoked' })
  })

  it('answers 401 token_revoked for tokens of a revoked subject', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth())
    const token = await issuer().sign({ sub: 'mallory', iat: Math.floor(Date.now() / 1000) - 10 })
    expect((await request(`${base}/me`, token)).status).toBe(200)

    await auth.revoke.subject('mallory')

    expect((await request(`${base}/me`, token)).body).toMatchObject({ code: 'token_revoked' })
  })

  it('answers 403 insufficient_scope, naming the required scopes, when a scope is missing', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth({ scopes: ['notes:read', 'notes:write'] }))
    const token = await issuer().sign({ scope: 'notes:read' })

    const reply = await request(`${base}/me`, token)

    expect(reply.status).toBe(403)
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="The credentials lack the required scope.", scope="notes:read notes:write"',
    )
    expect(reply.body).toMatchObject({ error: 'insufficient_scope', code: 'insufficient_scope' })
  })

  it('accepts any one of anyScopes', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth({ anyScopes: ['admin', 'notes:write'] }))

    expect((await request(`${base}/me`, await issuer().sign({ scope: 'notes:write' }))).status).toBe(200)
    expect((await request(`${base}/me`, await issuer().sign({ scope: 'notes:read' }))).status).toBe(403)
  })

  it('requireScopes(...) demands a bearer token with every scope listed', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).requireScopes('notes:read', 'notes:write'))

    expect((await request(`${base}/me`)).status).toBe(401)
    expect((await request(`${base}/me`, await issuer().sign({ scope: 'notes:read' }))).status).toBe(403)
    const reply = await request(`${base}/me`, await issuer().sign({ scope: 'notes:write notes:read' }))
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ auth: { user: { scopes: ['notes:write', 'notes:read'] } } })
  })

  it('lets an anonymous request through an optional guard with req.auth = {}', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth({ optional: true }))

    const anonymous = await request(`${base}/me`)
    const identified = await request(`${base}/me`, await issuer().sign({ sub: 'ada' }))

    expect(anonymous).toMatchObject({ status: 200, body: { authenticated: true, auth: {} } })
    expect(identified).toMatchObject({ status: 200, body: { auth: { user: { subject: 'ada' } } } })
  })

  it('carries req.auth past a mounted sub-app, over what an earlier middleware set, without an own property', async () => {
    const auth = authFor(issuer())
    const app = express()
    const api = express()
    api.use(portcullis(auth).jwtAuth())
    app.use((req: Request, _res: Response, next: () => void) => {
      if (req.headers['x-earlier'] !== undefined) (req as { auth?: unknown }).auth = { from: 'earlier' }
      next()
    })
    app.use('/api', api)
    // Express hands the request back to the parent app (its prototype reset) when the sub-app calls next().
    app.get('/api/me', (req: Request, res: Response) => {
      res.json({ subject: req.auth?.user?.subject, own: Object.hasOwn(req, 'auth') })
    })
    const base = await serve(app)
    const token = await issuer().sign({ sub: 'ada' })

    const plain = await request(`${base}/api/me`, token)
    const overEarlier = await request(`${base}/api/me`, token, { headers: { 'x-earlier': '1' } })

    expect(plain.body).toEqual({ subject: 'ada', own: false })
    expect(overEarlier.body).toEqual({ subject: 'ada', own: true })
  })

  it('still rejects a bad token on an optional guard', async () => {
    const auth = authFor(issuer())
    const base = await appWith(portcullis(auth).jwtAuth({ optional: true }))

    const reply = await request(`${base}/me`, 'not-a-jwt')

    expect(reply.status).toBe(401)
    expect(reply.body).toMatchObject({ code: 'token_malformed' })
  })

  it('answers 503 without a challenge when the issuer cannot be reached', async () => {
    const auth = authFor(issuer(), { jwks: { timeoutMs: 1000 } })
    const base = await appWith(portcullis(auth).jwtAuth())
    const token = await issuer().sign()
    issuer().setMode('down')
    onCleanup(() => issuer().setMode('ok'))

    const reply = await request(`${base}/me`, token)

    expect(reply.status).toBe(503)
    expect(reply.headers.get('www-authenticate')).toBeNull()
    expect(reply.body).toMatchObject({ code: 'issuer_unavailable' })
  })

  it('shares one Auth: a token cached by one guard is revoked for every guard', async () => {
    const auth = authFor(issuer())
    const guard = portcullis(auth)
    const app = express()
    app.get('/read', guard.jwtAuth(), echoAuth)
    app.get('/write', guard.requireScopes('notes:write'), echoAuth)
    const base = await serve(app)
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await issuer().sign({ jti: 'shared-1', exp, scope: 'notes:write' })
    expect((await request(`${base}/read`, token)).status).toBe(200)
    expect((await request(`${base}/write`, token)).status).toBe(200)

    await auth.revoke.token('shared-1', exp)

    expect((await request(`${base}/read`, token)).status).toBe(401)
    expect((await request(`${base}/write`, token)).status).toBe(401)
  })

  it('hands core the headers, method, original URL, and the ip and protocol Express derives', async () => {
    const auth = authFor(issuer())
    const seen: AuthInput[] = []
    const observed = observeInputs(auth, seen)
    const app = express()
    const router = express.Router()
    router.get('/me', portcullis(observed).jwtAuth(), echoAuth)
    app.use('/api', router)
    const base = await serve(app)
    const token = await issuer().sign()

    await request(`${base}/api/me?x=1`, token, { headers: { 'x-forwarded-for': '203.0.113.7' } })

    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/me?x=1', protocol: 'http' })
    expect(seen[0]?.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/)
    expect(seen[0]?.body).toBeUndefined()
    expect(seen[0]?.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      'x-forwarded-for': '203.0.113.7',
    })
  })

  it("follows the app's trust proxy setting for ip and protocol", async () => {
    const auth = authFor(issuer())
    const seen: AuthInput[] = []
    const app = express()
    app.set('trust proxy', 'loopback')
    app.get('/me', portcullis(observeInputs(auth, seen)).jwtAuth(), echoAuth)
    const base = await serve(app)

    await request(`${base}/me`, await issuer().sign(), {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    })

    expect(seen[0]).toMatchObject({ ip: '203.0.113.7', protocol: 'https' })
  })

  it('refuses, when the guard is created, a project guard the Auth has no project configuration for', () => {
    const guard = portcullis(authFor(issuer()))

    expect(() => guard.projectAuth()).toThrow(ConfigError)
    expect(() => guard.combinedAuth()).toThrow(ConfigError)
    expect(() => guard.anyAuth({ optional: true })).toThrow(ConfigError)
  })

  it('refuses, when the guard is created, an issuer the Auth does not trust', () => {
    const guard = portcullis(authFor(issuer()))

    expect(() => guard.jwtAuth({ issuers: ['https://elsewhere.test'] })).toThrow(ConfigError)
    expect(() => guard.jwtAuth({ issuers: [issuer().url] })).not.toThrow()
  })

  it('refuses requireScopes() without a scope', () => {
    const guard = portcullis(authFor(issuer()))

    expect(() => (guard.requireScopes as (...scopes: string[]) => unknown)()).toThrow(TypeError)
  })
})

/**
 * The real Auth, with every `authenticate` / `authenticateNow` input recorded on its way in: the only way to see
 * what the adapter hands core, since core does not act on ip or protocol yet.
 */
function observeInputs(auth: Auth, seen: AuthInput[]): Auth {
  return new Proxy(auth, {
    get(target, key) {
      if (key === 'authenticate' || key === 'authenticateNow') {
        return (input: AuthInput, policy: Parameters<Auth['authenticate']>[1]) => {
          seen.push(input)
          return target[key](input, policy)
        }
      }
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
