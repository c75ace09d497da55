import { AuthError, isAuthError } from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { portcullis, sendAuthError } from '../src/index.js'
import { authFor, EXPRESS_VERSIONS, request, serve, useIssuer } from './support.js'

const issuer = useIssuer()

describe.each(EXPRESS_VERSIONS)('$name error handling', ({ express }) => {
  it("with errors: 'next', hands the AuthError to the app's error handler", async () => {
    const guard = portcullis(authFor(issuer()), { errors: 'next' })
    const app = express()
    app.get('/me', guard.jwtAuth(), (_req, res) => {
      res.json({ reached: true })
    })
    app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!isAuthError(err)) return next(err)
      res.status(err.status === 401 ? 418 : 500).json({ problem: err.code, status: err.status })
    })
    const base = await serve(app)

    const reply = await request(`${base}/me`, 'not-a-jwt')

    expect(reply.status).toBe(418)
    expect(reply.headers.get('www-authenticate')).toBeNull()
    expect(reply.body).toEqual({ problem: 'token_malformed', status: 401 })
  })

  it('lets a custom error handler log and still answer like the default, through sendAuthError', async () => {
    const guard = portcullis(authFor(issuer()), { errors: 'next' })
    const logged: string[] = []
    const app = express()
    app.get('/notes', guard.jwtAuth({ scopes: ['notes:write'] }), (_req, res) => {
      res.json({ reached: true })
    })
    app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!isAuthError(err)) return next(err)
      logged.push(err.code)
      sendAuthError(res, err)
    })
    const base = await serve(app)

    const reply = await request(`${base}/notes`, await issuer().sign({ scope: 'notes:read' }))

    expect(logged).toEqual(['insufficient_scope'])
    expect(reply.status).toBe(403)
    expect(reply.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_scope".*scope="notes:write"$/,
    )
    expect(reply.body).toMatchObject({ error: 'insufficient_scope', code: 'insufficient_scope' })
  })

  it("with errors: 'next' and no handler of its own, Express's default handler still sends status and challenge", async () => {
    const guard = portcullis(authFor(issuer()), { errors: 'next' })
    const app = express()
    app.get('/me', guard.jwtAuth(), (_req, res) => {
      res.json({ reached: true })
    })
    const base = await serve(app)

    const reply = await request(`${base}/me`)

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe('Bearer')
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('sends 429 with Retry-After and no challenge for a rate-limited AuthError', async () => {
    const app = express()
    app.get('/limited', (_req, res) => {
      sendAuthError(res, new AuthError('rate_limited', { retryAfterSec: 6.2 }))
    })
    const base = await serve(app)

    const reply = await request(`${base}/limited`)

    expect(reply.status).toBe(429)
    expect(reply.headers.get('retry-after')).toBe('7')
    expect(reply.headers.get('www-authenticate')).toBeNull()
    expect(reply.body).toEqual({
      error: 'rate_limited',
      error_description: 'Too many failed attempts; retry later.',
      code: 'rate_limited',
    })
  })

  it('does not touch the response of a request that passed the guard', async () => {
    const guard = portcullis(authFor(issuer()))
    const app = express()
    app.get('/me', guard.jwtAuth(), (_req, _res, next) => {
      next(new Error('the handler failed'))
    })
    app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ handled: err.message })
    })
    const base = await serve(app)

    const reply = await request(`${base}/me`, await issuer().sign())

    expect(reply).toMatchObject({ status: 500, body: { handled: 'the handler failed' } })
  })

  it('refuses an unknown errors option when created', () => {
    const auth = authFor(issuer())

    expect(() => portcullis(auth, { errors: 'throw' as 'next' })).toThrow(TypeError)
  })
})
