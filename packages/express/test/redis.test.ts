import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { portcullis } from '../src/index.js'
import {
  appHeaders,
  authFor,
  EXPRESS_VERSIONS,
  projectConfig,
  redisForTest,
  request,
  SERVICE_ID,
  serve,
  useIssuer,
  useMercury,
  within,
} from './support.js'

const issuer = useIssuer()
const mercury = useMercury({
  projects: [{ appId: 'app-r', appSecret: 'pw-r', enabledServices: [SERVICE_ID] }],
})

function echoAuth(req: Request, res: Response): void {
  res.json({ subject: req.auth?.user?.subject ?? null, project: req.auth?.project?.projectUuid ?? null })
}

describe.each(EXPRESS_VERSIONS)('$name with state shared through Redis', ({ express }) => {
  it('rejects, within 100 ms, a token another instance revoked, on a route that had accepted it', async () => {
    const redis = await redisForTest()
    const revoking = authFor(issuer(), { redis: { url: redis.url } })
    const serving = authFor(issuer(), { redis: { url: redis.url } })
    await Promise.all([revoking.ready(), serving.ready()])
    const app = express()
    app.get('/me', portcullis(serving).jwtAuth(), echoAuth)
    const base = await serve(app)
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await issuer().sign({ sub: 'ada', jti: 'redis-jti-1', exp })
    expect(await request(`${base}/me`, token)).toMatchObject({ status: 200, body: { subject: 'ada' } })

    await revoking.revoke.token('redis-jti-1', exp)

    await within(100, async () => (await request(`${base}/me`, token)).status === 401)
    const reply = await request(`${base}/me`, token)
    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token was revoked."',
    )
    expect(reply.body).toMatchObject({ code: 'token_revoked' })
  })

  it('refuses, within 100 ms, a project another instance revoked, through projectAuth()', async () => {
    const redis = await redisForTest()
    const config = { ...projectConfig(mercury()), redis: { url: redis.url } }
    const revoking = authFor(issuer(), config)
    const serving = authFor(issuer(), config)
    await Promise.all([revoking.ready(), serving.ready()])
    const app = express()
    app.get('/orders', portcullis(serving).projectAuth(), echoAuth)
    const base = await serve(app)
    const headers = appHeaders('app-r', 'pw-r')
    const accepted = await request(`${base}/orders`, undefined, { headers })
    expect(accepted.status).toBe(200)

    await revoking.revoke.project((accepted.body as { project: string }).project)

    await within(100, async () => (await request(`${base}/orders`, undefined, { headers })).status === 401)
    expect(await request(`${base}/orders`, undefined, { headers })).toMatchObject({
      status: 401,
      body: { code: 'project_revoked' },
    })
  })

  it('shares the failure count: a client blocked through one instance gets 429 from the other', async () => {
    const redis = await redisForTest()
    const config = { redis: { url: redis.url }, rateLimit: { failures: 2 } }
    const first = express()
    first.get('/me', portcullis(authFor(issuer(), config)).jwtAuth(), echoAuth)
    const second = express()
    second.get('/me', portcullis(authFor(issuer(), config)).jwtAuth(), echoAuth)
    const [one, two] = await Promise.all([serve(first), serve(second)])

    for (let i = 0; i < 2; i++) expect((await request(`${one}/me`, 'not-a-jwt')).status).toBe(401)
    expect((await request(`${two}/me`, 'not-a-jwt')).status).toBe(401)
    const blocked = await request(`${two}/me`, await issuer().sign())

    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(blocked.body).toMatchObject({ code: 'rate_limited' })
  })
})
