import type { AuthEvent } from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { mountController, portcullis } from '../src/index.js'
import {
  appHeaders,
  authFor,
  EXPRESS_VERSIONS,
  projectConfig,
  request,
  SERVICE_ID,
  serve,
  useIssuer,
  useMercury,
} from './support.js'

const PROJECT = '33333333-3333-4333-8333-333333333333'

const issuer = useIssuer()
const mercury = useMercury({
  projects: [{ appId: 'app-c', appSecret: 'pw-c', projectUuid: PROJECT, enabledServices: [SERVICE_ID] }],
})

function echoAuth(req: Request, res: Response): void {
  res.json({ user: req.auth?.user ?? null, project: req.auth?.project ?? null })
}

/**
 * A real Auth that reports how many authentications it ran (core's own `onEvent`: one `auth.success` or
 * `auth.failure` per `authenticate` call; `authorize` reports none).
 */
function countingGuard(config: Parameters<typeof authFor>[1] = {}) {
  const events: AuthEvent[] = []
  const auth = authFor(issuer(), config, { onEvent: (event) => events.push(event) })
  const authentications = () =>
    events.filter((event) => event.type === 'auth.success' || event.type === 'auth.failure').length
  return { guard: portcullis(auth), auth, authentications }
}

describe.each(EXPRESS_VERSIONS)('$name requireScopes after another guard', ({ express }) => {
  it('checks the scopes of the token the earlier guard verified, authenticating once per request', async () => {
    const { guard, authentications } = countingGuard()
    const app = express()
    app.use('/notes', guard.jwtAuth())
    app.get('/notes', echoAuth)
    app.post('/notes', guard.requireScopes('notes:write'), echoAuth)
    const base = await serve(app)
    const reader = await issuer().sign({ sub: 'ada', scope: 'notes:read' })
    const writer = await issuer().sign({ sub: 'bob', scope: 'notes:write' })

    const denied = await request(`${base}/notes`, reader, { method: 'POST' })
    const allowed = await request(`${base}/notes`, writer, { method: 'POST' })

    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="The credentials lack the required scope.", scope="notes:write"',
    )
    expect(denied.body).toMatchObject({ code: 'insufficient_scope' })
    expect(allowed).toMatchObject({ status: 200, body: { user: { subject: 'bob' } } })
    expect(authentications()).toBe(2)
  })

  it('after projectAuth(), checks the project scopes: a project credential passes without any bearer token', async () => {
    const { guard, authentications } = countingGuard(projectConfig(mercury()))
    const app = express()
    app.post('/orders', guard.projectAuth(), guard.requireScopes('orders:write'), echoAuth)
    const base = await serve(app)
    const reader = mercury().mintProjectToken(PROJECT, { scopes: ['orders:read'] })
    const writer = mercury().mintProjectToken(PROJECT, { scopes: ['orders:write'] })

    const denied = await request(`${base}/orders`, undefined, {
      method: 'POST',
      headers: { 'x-project-token': reader },
    })
    const allowed = await request(`${base}/orders`, undefined, {
      method: 'POST',
      headers: { 'x-project-token': writer },
    })

    expect(denied).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } })
    expect(allowed).toMatchObject({
      status: 200,
      body: { user: null, project: { projectUuid: PROJECT, scopes: ['orders:write'] } },
    })
    expect(authentications()).toBe(2)
  })

  it('after combinedAuth(), requires the scope of the user and of the project alike', async () => {
    const { guard } = countingGuard(projectConfig(mercury()))
    const app = express()
    app.post('/orders', guard.combinedAuth(), guard.requireScopes('orders:write'), echoAuth)
    const base = await serve(app)
    const headers = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:write'] }) }
    const readingProject = {
      'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:read'] }),
    }
    const reader = await issuer().sign({ project_uuid: PROJECT, scope: 'orders:read' })
    const writer = await issuer().sign({ project_uuid: PROJECT, scope: 'orders:write' })

    expect((await request(`${base}/orders`, reader, { method: 'POST', headers })).status).toBe(403)
    expect(
      (await request(`${base}/orders`, writer, { method: 'POST', headers: readingProject })).status,
    ).toBe(403)
    expect((await request(`${base}/orders`, writer, { method: 'POST', headers })).status).toBe(200)
  })

  it('after an optional guard let an anonymous request through, answers 401 credentials_missing', async () => {
    const { guard, authentications } = countingGuard()
    const app = express()
    app.get('/feed', guard.jwtAuth({ optional: true }), guard.requireScopes('feed:read'), echoAuth)
    const base = await serve(app)

    const reply = await request(`${base}/feed`)

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe('Bearer')
    expect(reply.body).toMatchObject({ code: 'credentials_missing' })
    expect(authentications()).toBe(1)
  })

  it('still authenticates on its own when no guard ran before it', async () => {
    const { guard, authentications } = countingGuard()
    const app = express()
    app.get('/notes', guard.requireScopes('notes:read'), echoAuth)
    const base = await serve(app)

    expect((await request(`${base}/notes`)).status).toBe(401)
    expect((await request(`${base}/notes`, await issuer().sign({ scope: 'notes:read' }))).status).toBe(200)
    expect(authentications()).toBe(2)
  })

  it('does not trust a req.auth another middleware set: it authenticates instead', async () => {
    const { guard } = countingGuard()
    const app = express()
    app.use((req: Request, _res: Response, next: NextFunction) => {
      req.auth = { user: { id: 'forged', subject: 'forged', issuer: issuer().url, scopes: ['admin'] } }
      next()
    })
    app.get('/admin', guard.requireScopes('admin'), echoAuth)
    const base = await serve(app)

    const anonymous = await request(`${base}/admin`)
    const admin = await request(`${base}/admin`, await issuer().sign({ sub: 'root', scope: 'admin' }))

    expect(anonymous).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
    expect(admin).toMatchObject({ status: 200, body: { user: { subject: 'root' } } })
  })

  it("does not reuse a result another Auth's guard produced", async () => {
    const first = countingGuard()
    const second = countingGuard({ realm: 'second' })
    const app = express()
    app.get('/notes', first.guard.jwtAuth(), second.guard.requireScopes('notes:read'), echoAuth)
    const base = await serve(app)
    const token = await issuer().sign({ scope: 'notes:read' })

    expect((await request(`${base}/notes`, token)).status).toBe(200)
    expect(first.authentications()).toBe(1)
    expect(second.authentications()).toBe(1)
  })

  it("with errors: 'next', hands the scope failure to the app's error handler", async () => {
    const auth = authFor(issuer())
    const guard = portcullis(auth, { errors: 'next' })
    const app = express()
    app.get('/notes', guard.jwtAuth(), guard.requireScopes('notes:write'), echoAuth)
    app.use((err: { code?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(418).json({ handled: err.code, status: err.status })
    })
    const base = await serve(app)

    const reply = await request(`${base}/notes`, await issuer().sign({ scope: 'notes:read' }))

    expect(reply).toMatchObject({ status: 418, body: { handled: 'insufficient_scope', status: 403 } })
  })

  it('@Scopes with no mode anywhere checks the identity a middleware guard established', async () => {
    const { guard, authentications } = countingGuard(projectConfig(mercury()))
    const { Scopes, JwtAuth } = guard
    class OrdersController {
      @Scopes('orders:write')
      create(req: Request, res: Response) {
        res.status(201).json({ project: req.auth?.project?.projectUuid ?? null })
      }
      @JwtAuth({ scopes: ['orders:write'] })
      createAsUser(_req: Request, res: Response) {
        res.status(201).json({ created: true })
      }
    }
    const app = express()
    app.use(guard.anyAuth())
    mountController(app, new OrdersController(), {
      'POST /orders': 'create',
      'POST /user-orders': 'createAsUser',
    })
    const base = await serve(app)
    const writer = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:write'] }) }
    const reader = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:read'] }) }

    const created = await request(`${base}/orders`, undefined, { method: 'POST', headers: writer })
    const denied = await request(`${base}/orders`, undefined, { method: 'POST', headers: reader })
    expect(created).toMatchObject({ status: 201, body: { project: PROJECT } })
    expect(denied).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } })
    expect(authentications()).toBe(2)

    // A mode decorator asks for its own credentials: a bearer token, whatever the middleware accepted.
    const asUser = await request(`${base}/user-orders`, undefined, { method: 'POST', headers: writer })
    expect(asUser).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
  })

  it('a handler decorated with @Scopes alone that throws after the check reaches next(err)', async () => {
    const { guard } = countingGuard(projectConfig(mercury()))
    class FailingController {
      @guard.Scopes('orders:read')
      async list(_req: Request, _res: Response) {
        throw new Error('database down')
      }
    }
    const app = express()
    app.use(guard.projectAuth())
    mountController(app, new FailingController(), { 'GET /orders': 'list' })
    app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ message: err.message })
    })
    const base = await serve(app)

    const reply = await request(`${base}/orders`, undefined, { headers: appHeaders('app-c', 'pw-c') })

    expect(reply).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } })
    const reader = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:read'] }) }
    expect(await request(`${base}/orders`, undefined, { headers: reader })).toMatchObject({
      status: 500,
      body: { message: 'database down' },
    })
  })
})
