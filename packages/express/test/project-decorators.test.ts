import type { Request, Response } from 'express'
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

const PROJECT = '44444444-4444-4444-8444-444444444444'
const OTHER = '55555555-5555-4555-8555-555555555555'

const issuer = useIssuer()
const mercury = useMercury({
  projects: [
    { appId: 'app-d', appSecret: 'pw-d', projectUuid: PROJECT, enabledServices: [SERVICE_ID] },
    { appId: 'app-o', appSecret: 'pw-o', projectUuid: OTHER, enabledServices: [SERVICE_ID] },
  ],
})

describe.each(EXPRESS_VERSIONS)('$name project-mode decorators', ({ express }) => {
  function guardForTest() {
    return portcullis(authFor(issuer(), projectConfig(mercury())))
  }

  it('@ProjectAuth on a class guards every method with project credentials; @Scopes adds project scopes', async () => {
    const { ProjectAuth, Scopes, Public } = guardForTest()
    @ProjectAuth()
    class OrdersController {
      readonly source = 'orders'
      list(req: Request, res: Response) {
        const project = req.auth?.project
        res.json({
          source: this.source,
          kind: project?.tokenType,
          uuid: project?.projectUuid,
          user: req.auth?.user,
        })
      }
      @Scopes('orders:write')
      create(_req: Request, res: Response) {
        res.status(201).json({ created: true })
      }
      @Public()
      health(_req: Request, res: Response) {
        res.json({ ok: true })
      }
    }
    const app = express()
    mountController(app, new OrdersController(), {
      'GET /orders': 'list',
      'POST /orders': 'create',
      'GET /health': 'health',
    })
    const base = await serve(app)
    const reader = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:read'] }) }
    const writer = { 'x-project-token': mercury().mintProjectToken(PROJECT, { scopes: ['orders:write'] }) }

    expect(
      await request(`${base}/orders`, undefined, { headers: appHeaders('app-d', 'pw-d') }),
    ).toMatchObject({
      status: 200,
      body: { source: 'orders', kind: 'credentials', uuid: PROJECT },
    })
    expect((await request(`${base}/orders`, undefined, { headers: appHeaders('app-d', 'bad') })).status).toBe(
      401,
    )
    expect((await request(`${base}/orders`, await issuer().sign())).status).toBe(401)
    expect((await request(`${base}/orders`, undefined, { method: 'POST', headers: reader })).status).toBe(403)
    expect((await request(`${base}/orders`, undefined, { method: 'POST', headers: writer })).status).toBe(201)
    expect((await request(`${base}/health`)).body).toEqual({ ok: true })
  })

  it('@CombinedAuth needs a token and a project that belong together', async () => {
    const { CombinedAuth } = guardForTest()
    class ReportsController {
      @CombinedAuth()
      show(req: Request, res: Response) {
        res.json({ subject: req.auth?.user?.subject, uuid: req.auth?.project?.projectUuid })
      }
    }
    const app = express()
    mountController(app, new ReportsController(), { 'GET /reports': 'show' })
    const base = await serve(app)
    const token = await issuer().sign({ sub: 'ada', project_uuid: PROJECT })

    expect(await request(`${base}/reports`, token, { headers: appHeaders('app-d', 'pw-d') })).toMatchObject({
      status: 200,
      body: { subject: 'ada', uuid: PROJECT },
    })
    expect(await request(`${base}/reports`, token, { headers: appHeaders('app-o', 'pw-o') })).toMatchObject({
      status: 403,
      body: { code: 'access_denied' },
    })
    expect((await request(`${base}/reports`, token)).status).toBe(401)
  })

  it('@AnyAuth takes either credential; a method mode replaces a class @JwtAuth', async () => {
    const { AnyAuth, JwtAuth } = guardForTest()
    @JwtAuth()
    class InboxController {
      @AnyAuth()
      inbox(req: Request, res: Response) {
        res.json({ user: req.auth?.user?.subject ?? null, project: req.auth?.project?.projectUuid ?? null })
      }
      profile(req: Request, res: Response) {
        res.json({ user: req.auth?.user?.subject })
      }
    }
    const app = express()
    mountController(app, new InboxController(), { 'GET /inbox': 'inbox', 'GET /profile': 'profile' })
    const base = await serve(app)
    const token = await issuer().sign({ sub: 'ada' })
    const project = { headers: appHeaders('app-d', 'pw-d') }

    expect((await request(`${base}/inbox`, token)).body).toEqual({ user: 'ada', project: null })
    expect((await request(`${base}/inbox`, undefined, project)).body).toEqual({
      user: null,
      project: PROJECT,
    })
    expect((await request(`${base}/inbox`)).status).toBe(401)
    expect((await request(`${base}/profile`, undefined, project)).status).toBe(401)
    expect((await request(`${base}/profile`, token)).body).toEqual({ user: 'ada' })
  })

  it('@ProjectAuth({ projectKinds: [service] }) admits calling services only', async () => {
    const { ProjectAuth } = guardForTest()
    class InternalController {
      @ProjectAuth({ projectKinds: ['service'] })
      sync(req: Request, res: Response) {
        const caller = req.auth?.project
        res.json({ caller: caller?.tokenType === 'service' ? caller.clientId : null })
      }
    }
    const app = express()
    mountController(app, new InternalController(), { 'POST /sync': 'sync' })
    const base = await serve(app)
    const service = mercury().mintServiceToken({ clientId: 'billing' })

    expect(
      await request(`${base}/sync`, undefined, { method: 'POST', headers: { 'x-project-token': service } }),
    ).toMatchObject({ status: 200, body: { caller: 'billing' } })
    expect(
      await request(`${base}/sync`, undefined, { method: 'POST', headers: appHeaders('app-d', 'pw-d') }),
    ).toMatchObject({ status: 403, body: { code: 'access_denied' } })
  })
})
