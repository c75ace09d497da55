// Compiled with `experimentalDecorators` (see vitest.config.ts): the same decorators, legacy calling convention.
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

const issuer = useIssuer()
const mercury = useMercury({
  projects: [{ appId: 'app-l', appSecret: 'pw-l', enabledServices: [SERVICE_ID] }],
})

describe.each(EXPRESS_VERSIONS)('$name legacy (experimentalDecorators) route decorators', ({ express }) => {
  it('is compiled with TypeScript legacy decorators', () => {
    let seen: unknown[] = []
    const probe = (...args: unknown[]) => {
      seen = args
    }
    class Probe {
      @probe
      handler(_req: Request, _res: Response) {}
    }
    // Legacy method decorators receive (prototype, key, descriptor); standard ones (value, context).
    expect(seen[0]).toBe(Probe.prototype)
    expect(seen[1]).toBe('handler')
  })

  it('guards a decorated method and sets req.auth', async () => {
    const { JwtAuth, Scopes } = portcullis(authFor(issuer()))
    class NotesController {
      readonly prefix = 'notes of'
      @JwtAuth()
      @Scopes('notes:read')
      list(req: Request, res: Response) {
        res.json({ text: `${this.prefix} ${req.auth?.user?.subject}` })
      }
    }
    const app = express()
    mountController(app, new NotesController(), { 'GET /notes': 'list' })
    const base = await serve(app)

    expect((await request(`${base}/notes`)).status).toBe(401)
    expect((await request(`${base}/notes`, await issuer().sign({ scope: 'other' }))).status).toBe(403)
    const reply = await request(`${base}/notes`, await issuer().sign({ sub: 'ada', scope: 'notes:read' }))
    expect(reply).toMatchObject({ status: 200, body: { text: 'notes of ada' } })
  })

  it('applies a class default and lets @Public() override it', async () => {
    const { JwtAuth, Public, Scopes } = portcullis(authFor(issuer()))
    @JwtAuth()
    class AccountController {
      profile(req: Request, res: Response) {
        res.json({ subject: req.auth?.user?.subject })
      }
      @Scopes('admin')
      admin(_req: Request, res: Response) {
        res.json({ admin: true })
      }
      @Public()
      health(_req: Request, res: Response) {
        res.json({ ok: true })
      }
    }
    const controller = new AccountController()
    const app = express()
    app.get('/profile', controller.profile)
    app.get('/admin', controller.admin)
    app.get('/health', controller.health)
    const base = await serve(app)
    const user = await issuer().sign({ sub: 'ada' })

    expect((await request(`${base}/profile`)).status).toBe(401)
    expect((await request(`${base}/profile`, user)).body).toEqual({ subject: 'ada' })
    expect((await request(`${base}/admin`, user)).status).toBe(403)
    expect((await request(`${base}/admin`, await issuer().sign({ scope: 'admin' }))).status).toBe(200)
    expect(await request(`${base}/health`)).toMatchObject({ status: 200, body: { ok: true } })
  })
  it('@ProjectAuth on a class, @Scopes alone on a method behind a middleware guard', async () => {
    const guard = portcullis(authFor(issuer(), projectConfig(mercury())))
    const { ProjectAuth, Scopes } = guard
    @ProjectAuth()
    class ProjectController {
      whoami(req: Request, res: Response) {
        const project = req.auth?.project
        res.json({ app: project?.tokenType === 'credentials' ? project.appId : null })
      }
    }
    class ReportsController {
      @Scopes('reports:read')
      list(_req: Request, res: Response) {
        res.json({ listed: true })
      }
    }
    const app = express()
    mountController(app, new ProjectController(), { 'GET /whoami': 'whoami' })
    app.use('/reports', guard.anyAuth())
    mountController(app, new ReportsController(), { 'GET /reports': 'list' })
    const base = await serve(app)
    const project = { headers: appHeaders('app-l', 'pw-l') }

    expect(await request(`${base}/whoami`, undefined, project)).toMatchObject({
      status: 200,
      body: { app: 'app-l' },
    })
    expect((await request(`${base}/whoami`, undefined, { headers: appHeaders('app-l', 'no') })).status).toBe(
      401,
    )
    // App credentials carry no scopes: the project the middleware authenticated lacks reports:read.
    expect(await request(`${base}/reports`, undefined, project)).toMatchObject({
      status: 403,
      body: { code: 'insufficient_scope' },
    })
    expect((await request(`${base}/reports`, await issuer().sign({ scope: 'reports:read' }))).status).toBe(
      200,
    )
  })
})
