import type { Request, RequestHandler, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { portcullis } from '../src/index.js'
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

const PROJECT_A = '11111111-1111-4111-8111-111111111111'
const PROJECT_B = '22222222-2222-4222-8222-222222222222'

const issuer = useIssuer()
const mercury = useMercury({
  projects: [
    {
      appId: 'app-a',
      appSecret: 'pw-a',
      projectUuid: PROJECT_A,
      projectName: 'Alpha',
      enabledServices: [SERVICE_ID],
    },
    { appId: 'app-b', appSecret: 'pw-b', projectUuid: PROJECT_B, enabledServices: [SERVICE_ID] },
    { appId: 'app-elsewhere', appSecret: 'pw-e', enabledServices: ['svc-other'] },
  ],
})

function echoAuth(req: Request, res: Response): void {
  res.json({ user: req.auth?.user ?? null, project: req.auth?.project ?? null })
}

describe.each(EXPRESS_VERSIONS)('$name project, combined and any modes', ({ express }) => {
  function guardForTest() {
    return portcullis(authFor(issuer(), projectConfig(mercury())))
  }

  async function appWith(guard: RequestHandler): Promise<string> {
    const app = express()
    app.get('/orders', guard, echoAuth)
    return serve(app)
  }

  describe('projectAuth()', () => {
    it('lets app credentials through and puts the project on req.auth.project, with no user', async () => {
      const base = await appWith(guardForTest().projectAuth())

      const reply = await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'pw-a') })

      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        user: null,
        project: { tokenType: 'credentials', projectUuid: PROJECT_A, projectName: 'Alpha', appId: 'app-a' },
      })
    })

    it('answers 401 project_credentials_invalid for a wrong secret or an unknown app', async () => {
      const base = await appWith(guardForTest().projectAuth())

      const wrong = await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'nope') })
      const unknown = await request(`${base}/orders`, undefined, { headers: appHeaders('nobody', 'x') })

      expect(wrong.status).toBe(401)
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer')
      expect(wrong.body).toEqual({
        error: 'project_credentials_invalid',
        error_description: 'The project credentials are invalid.',
        code: 'project_credentials_invalid',
      })
      expect(unknown).toMatchObject({ status: 401, body: { code: 'project_credentials_invalid' } })
    })

    it('answers 401 credentials_missing without project credentials, even with a valid bearer token', async () => {
      const base = await appWith(guardForTest().projectAuth())

      const none = await request(`${base}/orders`)
      const bearerOnly = await request(`${base}/orders`, await issuer().sign())

      expect(none).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
      expect(bearerOnly).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
    })

    it('answers 403 when this service is not enabled for the project, naming no other service', async () => {
      const base = await appWith(guardForTest().projectAuth())

      const reply = await request(`${base}/orders`, undefined, {
        headers: appHeaders('app-elsewhere', 'pw-e'),
      })

      expect(reply.status).toBe(403)
      expect(reply.body).toMatchObject({ error: 'insufficient_scope' })
      expect(JSON.stringify(reply.body)).not.toContain('svc-other')
      expect(reply.headers.get('www-authenticate')).not.toContain('svc-other')
    })

    it('accepts a Mercury project token in x-project-token, with or without the Bearer prefix', async () => {
      const base = await appWith(guardForTest().projectAuth())
      const token = mercury().mintProjectToken(PROJECT_A, { scopes: ['orders:read'] })

      const bare = await request(`${base}/orders`, undefined, { headers: { 'x-project-token': token } })
      const prefixed = await request(`${base}/orders`, undefined, {
        headers: { 'x-project-token': `Bearer ${token}` },
      })

      expect(bare).toMatchObject({
        status: 200,
        body: {
          user: null,
          project: { tokenType: 'project', projectUuid: PROJECT_A, scopes: ['orders:read'] },
        },
      })
      expect(prefixed).toMatchObject({ status: 200, body: { project: { tokenType: 'project' } } })
      const forged = mercury().mintProjectToken(PROJECT_A, { key: mercury().tenantKey(PROJECT_B) })
      expect(
        (await request(`${base}/orders`, undefined, { headers: { 'x-project-token': forged } })).status,
      ).toBe(401)
    })

    it('requires the project scopes a projectAuth({ scopes }) route names: 403 insufficient_scope otherwise', async () => {
      const base = await appWith(guardForTest().projectAuth({ scopes: ['orders:write'] }))
      const reader = mercury().mintProjectToken(PROJECT_A, { scopes: ['orders:read'] })
      const writer = mercury().mintProjectToken(PROJECT_A, { scopes: ['orders:write'] })

      const denied = await request(`${base}/orders`, undefined, { headers: { 'x-project-token': reader } })
      const allowed = await request(`${base}/orders`, undefined, { headers: { 'x-project-token': writer } })

      expect(denied.status).toBe(403)
      expect(denied.headers.get('www-authenticate')).toMatch(
        /error="insufficient_scope".*scope="orders:write"/,
      )
      expect(allowed.status).toBe(200)
    })

    it('projectKinds: [service] takes Mercury service tokens only: 403 access_denied for a project', async () => {
      const base = await appWith(guardForTest().projectAuth({ projectKinds: ['service'] }))
      const service = mercury().mintServiceToken({ clientId: 'billing', scope: 'orders:read' })
      const project = mercury().mintProjectToken(PROJECT_A)

      const ok = await request(`${base}/orders`, undefined, { headers: { 'x-project-token': service } })
      const token = await request(`${base}/orders`, undefined, { headers: { 'x-project-token': project } })
      const app = await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'pw-a') })

      expect(ok).toMatchObject({
        status: 200,
        body: { project: { tokenType: 'service', clientId: 'billing', scopes: ['orders:read'] } },
      })
      expect(token).toMatchObject({
        status: 403,
        body: { code: 'access_denied', error: 'insufficient_scope' },
      })
      expect(app).toMatchObject({ status: 403, body: { code: 'access_denied' } })
    })
  })

  describe('combinedAuth()', () => {
    it('needs both the bearer token and the project, and puts both on req.auth', async () => {
      const base = await appWith(guardForTest().combinedAuth())
      const token = await issuer().sign({ sub: 'ada', project_uuid: PROJECT_A })

      const both = await request(`${base}/orders`, token, { headers: appHeaders('app-a', 'pw-a') })
      const userOnly = await request(`${base}/orders`, token)
      const projectOnly = await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'pw-a') })
      const wrongSecret = await request(`${base}/orders`, token, { headers: appHeaders('app-a', 'nope') })

      expect(both).toMatchObject({
        status: 200,
        body: { user: { subject: 'ada' }, project: { projectUuid: PROJECT_A, tokenType: 'credentials' } },
      })
      expect(userOnly).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
      expect(projectOnly).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
      expect(wrongSecret).toMatchObject({ status: 401, body: { code: 'project_credentials_invalid' } })
    })

    it('answers 403 access_denied for a user token bound to another project', async () => {
      const base = await appWith(guardForTest().combinedAuth())
      const token = await issuer().sign({ project_uuid: PROJECT_A })

      const reply = await request(`${base}/orders`, token, { headers: appHeaders('app-b', 'pw-b') })

      expect(reply.status).toBe(403)
      expect(reply.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'Access to this resource is denied.',
        code: 'access_denied',
      })
    })

    it('checks userScopes against the token and projectScopes against the project', async () => {
      const base = await appWith(
        guardForTest().combinedAuth({ userScopes: ['orders:read'], projectScopes: ['orders:write'] }),
      )
      const project = mercury().mintProjectToken(PROJECT_A, { scopes: ['orders:write'] })
      const reader = await issuer().sign({ project_uuid: PROJECT_A, scope: 'orders:read' })
      const writer = await issuer().sign({ project_uuid: PROJECT_A, scope: 'orders:write' })

      const ok = await request(`${base}/orders`, reader, { headers: { 'x-project-token': project } })
      const denied = await request(`${base}/orders`, writer, { headers: { 'x-project-token': project } })

      expect(ok.status).toBe(200)
      expect(denied).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } })
    })
  })

  describe('anyAuth()', () => {
    it('takes either credential, both when both are sent, and refuses a request with neither', async () => {
      const base = await appWith(guardForTest().anyAuth())
      const token = await issuer().sign({ sub: 'ada' })

      const user = await request(`${base}/orders`, token)
      const project = await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'pw-a') })
      const both = await request(`${base}/orders`, token, { headers: appHeaders('app-a', 'pw-a') })
      const neither = await request(`${base}/orders`)

      expect(user).toMatchObject({ status: 200, body: { user: { subject: 'ada' }, project: null } })
      expect(project).toMatchObject({ status: 200, body: { user: null, project: { appId: 'app-a' } } })
      expect(both).toMatchObject({
        status: 200,
        body: { user: { subject: 'ada' }, project: { appId: 'app-a' } },
      })
      expect(neither).toMatchObject({ status: 401, body: { code: 'credentials_missing' } })
    })

    it('fails the request when either credential sent is bad', async () => {
      const base = await appWith(guardForTest().anyAuth())
      const token = await issuer().sign()

      const badProject = await request(`${base}/orders`, token, { headers: appHeaders('app-a', 'nope') })
      const badToken = await request(`${base}/orders`, 'not-a-jwt', { headers: appHeaders('app-a', 'pw-a') })

      expect(badProject).toMatchObject({ status: 401, body: { code: 'project_credentials_invalid' } })
      expect(badToken).toMatchObject({ status: 401, body: { code: 'token_malformed' } })
    })

    it('anyAuth({ optional: true }) lets an anonymous request through with req.auth = {}', async () => {
      const app = express()
      app.get('/orders', guardForTest().anyAuth({ optional: true }), (req, res) => {
        res.json({ auth: req.auth })
      })
      const base = await serve(app)

      expect(await request(`${base}/orders`)).toMatchObject({ status: 200, body: { auth: {} } })
      expect(
        (await request(`${base}/orders`, undefined, { headers: appHeaders('app-a', 'nope') })).status,
      ).toBe(401)
    })
  })

  describe('rate limiting through the address Express gives', () => {
    it('answers 429 with Retry-After after repeated wrong secrets, for that client only', async () => {
      const guard = portcullis(
        authFor(issuer(), { ...projectConfig(mercury()), rateLimit: { failures: 2, blockSec: 30 } }),
      )
      const app = express()
      app.set('trust proxy', 'loopback')
      app.get('/orders', guard.projectAuth(), echoAuth)
      const base = await serve(app)
      const from = (client: string, secret: string) =>
        request(`${base}/orders`, undefined, {
          headers: { ...appHeaders('app-a', secret), 'x-forwarded-for': client },
        })

      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push((await from('203.0.113.7', 'wrong')).status)
      const blocked = await from('203.0.113.7', 'pw-a')
      const other = await from('203.0.113.8', 'pw-a')

      expect(statuses).toEqual([401, 401, 401])
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(29)
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(30)
      expect(blocked.headers.get('www-authenticate')).toBeNull()
      expect(blocked.body).toEqual({
        error: 'rate_limited',
        error_description: 'Too many failed attempts; retry later.',
        code: 'rate_limited',
      })
      expect(other).toMatchObject({ status: 200, body: { project: { appId: 'app-a' } } })
    })

    it('counts bad bearer tokens too, and blocks before looking at the next one', async () => {
      const guard = portcullis(authFor(issuer(), { rateLimit: { failures: 2 } }))
      const base = await appWith(guard.jwtAuth())

      for (let i = 0; i < 3; i++) expect((await request(`${base}/orders`, 'not-a-jwt')).status).toBe(401)
      const blocked = await request(`${base}/orders`, await issuer().sign())

      expect(blocked.status).toBe(429)
      expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/)
    })
  })
})
