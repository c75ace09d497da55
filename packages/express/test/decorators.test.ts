import { ConfigError } from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { type ExpressAuth, mountController, portcullis } from '../src/index.js'
import { authFor, EXPRESS_VERSIONS, request, serve, useIssuer } from './support.js'

const issuer = useIssuer()

describe.each(EXPRESS_VERSIONS)('$name route decorators', ({ express }) => {
  function guardForTest(): ExpressAuth {
    return portcullis(authFor(issuer()))
  }

  it('guards a decorated method that stays a plain handler for router.get()', async () => {
    const { JwtAuth } = guardForTest()
    class ProfileController {
      @JwtAuth()
      me(req: Request, res: Response) {
        res.json({ subject: req.auth?.user?.subject, token: req.auth?.token })
      }
    }
    const controller = new ProfileController()
    const app = express()
    const router = express.Router()
    router.get('/me', controller.me)
    app.use(router)
    const base = await serve(app)
    const token = await issuer().sign({ sub: 'ada' })

    const anonymous = await request(`${base}/me`)
    const identified = await request(`${base}/me`, token)

    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(anonymous.body).toMatchObject({ error: 'credentials_missing' })
    expect(identified).toMatchObject({ status: 200, body: { subject: 'ada', token } })
  })

  it('keeps `this`: the controller when mounted through mountController, undefined when passed unbound', async () => {
    const { JwtAuth } = guardForTest()
    class GreetingController {
      readonly greeting = 'hello'
      @JwtAuth()
      greet(req: Request, res: Response) {
        res.json({ text: `${this?.greeting ?? 'no this'} ${req.auth?.user?.subject}` })
      }
    }
    const controller = new GreetingController()
    const app = express()
    mountController(app, controller, { 'GET /bound': 'greet' })
    app.get('/unbound', controller.greet)
    const base = await serve(app)
    const token = await issuer().sign({ sub: 'ada' })

    expect((await request(`${base}/bound`, token)).body).toEqual({ text: 'hello ada' })
    expect((await request(`${base}/unbound`, token)).body).toEqual({ text: 'no this ada' })
    expect((await request(`${base}/bound`)).status).toBe(401)
  })

  it('@Scopes alone requires a bearer token with those scopes, and adds to @JwtAuth scopes', async () => {
    const { JwtAuth, Scopes } = guardForTest()
    class NotesController {
      @Scopes('notes:write')
      create(_req: Request, res: Response) {
        res.status(201).json({ created: true })
      }
      @JwtAuth({ scopes: ['notes:read'] })
      @Scopes('notes:delete')
      remove(_req: Request, res: Response) {
        res.json({ removed: true })
      }
    }
    const app = express()
    mountController(app, new NotesController(), { 'POST /notes': 'create', 'DELETE /notes/:id': 'remove' })
    const base = await serve(app)
    const reader = await issuer().sign({ scope: 'notes:read' })
    const writer = await issuer().sign({ scope: 'notes:write' })
    const readDelete = await issuer().sign({ scope: 'notes:read notes:delete' })

    expect((await request(`${base}/notes`, undefined, { method: 'POST' })).status).toBe(401)
    expect((await request(`${base}/notes`, reader, { method: 'POST' })).status).toBe(403)
    expect((await request(`${base}/notes`, writer, { method: 'POST' })).status).toBe(201)
    const denied = await request(`${base}/notes/1`, reader, { method: 'DELETE' })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toMatch(/scope="notes:read notes:delete"$/)
    expect((await request(`${base}/notes/1`, readDelete, { method: 'DELETE' })).status).toBe(200)
  })

  it('@JwtAuth({ optional: true }) lets anonymous requests in with req.auth = {}', async () => {
    const { JwtAuth } = guardForTest()
    class FeedController {
      @JwtAuth({ optional: true })
      feed(req: Request, res: Response) {
        res.json({ auth: req.auth, personalised: req.auth?.user !== undefined })
      }
    }
    const app = express()
    mountController(app, new FeedController(), { 'GET /feed': 'feed' })
    const base = await serve(app)

    expect((await request(`${base}/feed`)).body).toEqual({ auth: {}, personalised: false })
    expect((await request(`${base}/feed`, await issuer().sign())).body).toMatchObject({ personalised: true })
    expect((await request(`${base}/feed`, 'not-a-jwt')).status).toBe(401)
  })

  it('a class decorator guards every method; @Public() on a method opts it out', async () => {
    const { JwtAuth, Public } = guardForTest()
    @JwtAuth()
    class AccountController {
      profile(req: Request, res: Response) {
        res.json({ subject: req.auth?.user?.subject })
      }
      @Public()
      health(req: Request, res: Response) {
        res.json({ ok: true, authenticated: req.auth !== undefined })
      }
    }
    const controller = new AccountController()
    const app = express()
    app.get('/profile', controller.profile)
    app.get('/health', controller.health)
    const base = await serve(app)

    expect((await request(`${base}/profile`)).status).toBe(401)
    expect((await request(`${base}/profile`, await issuer().sign({ sub: 'ada' }))).body).toEqual({
      subject: 'ada',
    })
    expect(await request(`${base}/health`)).toMatchObject({
      status: 200,
      body: { ok: true, authenticated: false },
    })
  })

  it('class and method decorators combine: class scopes add to method scopes, a method mode replaces the class one', async () => {
    const { JwtAuth, Scopes } = guardForTest()
    @JwtAuth()
    @Scopes('notes:read')
    class NotesController {
      list(_req: Request, res: Response) {
        res.json({ listed: true })
      }
      @Scopes('notes:write')
      update(_req: Request, res: Response) {
        res.json({ updated: true })
      }
      @JwtAuth({ optional: true })
      preview(req: Request, res: Response) {
        res.json({ anonymous: req.auth?.user === undefined })
      }
    }
    const app = express()
    mountController(app, new NotesController(), {
      'GET /notes': 'list',
      'PUT /notes': 'update',
      'GET /preview': 'preview',
    })
    const base = await serve(app)
    const reader = await issuer().sign({ scope: 'notes:read' })
    const writer = await issuer().sign({ scope: 'notes:write' })
    const both = await issuer().sign({ scope: 'notes:read notes:write' })

    expect((await request(`${base}/notes`, reader)).status).toBe(200)
    expect((await request(`${base}/notes`, writer)).status).toBe(403)
    expect((await request(`${base}/notes`, reader, { method: 'PUT' })).status).toBe(403)
    expect((await request(`${base}/notes`, both, { method: 'PUT' })).status).toBe(200)
    // The class's @Scopes still apply under the method's own @JwtAuth: optional, but scoped when a token comes.
    expect((await request(`${base}/preview`)).body).toEqual({ anonymous: true })
    expect((await request(`${base}/preview`, writer)).status).toBe(403)
  })

  it('a @Public() class leaves undecorated methods (helpers included) untouched and guards decorated ones', async () => {
    const { JwtAuth, Public } = guardForTest()
    @Public()
    class MixedController {
      @JwtAuth()
      secret(req: Request, res: Response) {
        res.json({ subject: req.auth?.user?.subject })
      }
      open(_req: Request, res: Response) {
        res.json({ open: this.label('yes') })
      }
      label(value: string) {
        return `open: ${value}`
      }
    }
    const controller = new MixedController()
    const app = express()
    mountController(app, controller, { 'GET /secret': 'secret', 'GET /open': 'open' })
    const base = await serve(app)

    expect(controller.label('direct')).toBe('open: direct')
    expect((await request(`${base}/open`)).body).toEqual({ open: 'open: yes' })
    expect((await request(`${base}/secret`)).status).toBe(401)
    expect((await request(`${base}/secret`, await issuer().sign({ sub: 'ada' }))).body).toEqual({
      subject: 'ada',
    })
  })

  it('a guarded method called outside Express fails loudly instead of skipping authentication', () => {
    const { JwtAuth } = guardForTest()
    @JwtAuth()
    class ReportController {
      summary(_req: Request, res: Response) {
        res.json({})
      }
    }

    expect(() =>
      (new ReportController().summary as unknown as (value: string) => unknown)('not a request'),
    ).toThrow(/ReportController\.summary\(\) is guarded by Portcullis/)
  })

  it('refuses contradicting decorators when the class is defined', () => {
    const { JwtAuth, Public, Scopes } = guardForTest()

    expect(() => {
      class Contradiction {
        @Public()
        @JwtAuth()
        both(_req: Request, _res: Response) {}
      }
      return Contradiction
    }).toThrow(/only one of @JwtAuth/)
    expect(() => {
      @Public()
      @Scopes('notes:read')
      class PublicScoped {}
      return PublicScoped
    }).toThrow(/@Public and @Scopes contradict/)
  })

  it('refuses, when the class is defined, a project-mode decorator the Auth cannot serve', () => {
    const { ProjectAuth, CombinedAuth, AnyAuth } = guardForTest()

    expect(() => {
      class Projects {
        @ProjectAuth()
        list(_req: Request, _res: Response) {}
      }
      return Projects
    }).toThrow(ConfigError)
    expect(() => {
      @CombinedAuth()
      class Combined {
        list(_req: Request, _res: Response) {}
      }
      return Combined
    }).toThrow(ConfigError)
    expect(() => {
      class Either {
        @AnyAuth({ optional: true })
        list(_req: Request, _res: Response) {}
      }
      return Either
    }).toThrow(ConfigError)
  })

  it('refuses decorators from two portcullis() instances on one class', () => {
    const first = guardForTest()
    const second = guardForTest()

    expect(() => {
      @first.JwtAuth()
      class Mixed {
        @second.Scopes('notes:read')
        list(_req: Request, _res: Response) {}
      }
      return Mixed
    }).toThrow(/two different portcullis\(\) instances/)
  })

  it('refuses to guard an error handler (err, req, res, next), which Express would call as a route handler', () => {
    const { JwtAuth } = guardForTest()
    const decorator = JwtAuth() as unknown as (value: Function, context: ClassMethodDecoratorContext) => void

    expect(() => {
      class Failing {
        @decorator
        onError(_err: Error, _req: Request, _res: Response, _next: NextFunction) {}
      }
      return Failing
    }).toThrow(/onError\(\): a guarded method cannot be an error handler/)
  })

  it('mountController refuses routes that are not "<VERB> /path" or do not name a method', () => {
    class Plain {
      readonly label = 'not a method'
      list(_req: Request, res: Response) {
        res.json({})
      }
    }
    const app = express()
    type Routes = Parameters<typeof mountController<typeof app, Plain>>[2]

    expect(() => mountController(app, new Plain(), { 'FETCH /x': 'list' } as unknown as Routes)).toThrow(
      /"FETCH \/x" is not "<VERB> \/path"/,
    )
    expect(() => mountController(app, new Plain(), { 'GET /x': 'label' } as unknown as Routes)).toThrow(
      /label is not a method/,
    )
  })

  it('refuses to decorate a field', () => {
    const { JwtAuth } = guardForTest()
    const decorate = JwtAuth() as unknown as (
      value: undefined,
      context: { kind: string; name: string },
    ) => unknown

    expect(() => decorate(undefined, { kind: 'field', name: 'handler' })).toThrow(/not fields/)
  })
})
