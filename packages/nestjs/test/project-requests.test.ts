import { Body, Controller, Get, Post } from '@nestjs/common'
import { signRequest } from '@portcullis/core'
import {
  type MercuryStandIn,
  type RedisServer,
  startRedisServer,
  startTestIssuer,
  type TestIssuer,
} from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Auth,
  Claims,
  CurrentProject,
  PORTCULLIS_AUTH,
  type PortcullisAuth,
  PortcullisModule,
} from '../src/index.js'
import {
  appCredentials,
  getFrom,
  PROJECT_A,
  projectConfigFor,
  SIGNING_SECRET,
  startMercury,
} from './project-support.js'
import { AUDIENCE, type Platform, type RunningApp, startApp } from './support.js'

@Controller('project')
@Auth('project')
class ProjectController {
  @Get()
  show(@CurrentProject('projectUuid') uuid: string) {
    return { uuid }
  }

  @Post('echo')
  echo(@Body() body: unknown, @CurrentProject('projectUuid') uuid: string) {
    return { uuid, body }
  }
}

@Controller('user')
class UserController {
  @Get()
  @Auth('jwt')
  user(@Claims('sub') sub: string) {
    return { sub }
  }
}

let issuer: TestIssuer
let mercury: MercuryStandIn
let redis: RedisServer
beforeAll(async () => {
  ;[issuer, mercury, redis] = await Promise.all([
    startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] }),
    startMercury(),
    startRedisServer(),
  ])
})
afterAll(async () => {
  await Promise.all([issuer?.close(), mercury?.close(), redis?.close()])
})

function signedProjectsConfig(mode: 'wazobia' | 'strict') {
  return projectConfigFor(issuer, mercury, {
    projects: { signingSecret: SIGNING_SECRET, signedRequests: { mode } },
  })
}

describe.each<Platform>(['express', 'fastify'])('project requests on the %s platform', (platform) => {
  it('answers 429 with Retry-After once one client address failed too often, and only that address', async () => {
    const server = await startApp(
      {
        imports: [
          PortcullisModule.forRoot(
            projectConfigFor(issuer, mercury, { rateLimit: { failures: 2, windowSec: 60, blockSec: 30 } }),
          ),
        ],
        controllers: [ProjectController],
      },
      { platform },
    )
    const url = `${server.url}/project`
    const failures = []
    for (let i = 0; i < 3; i++)
      failures.push((await getFrom('127.0.0.2', url, appCredentials('app-a', 'no'))).status)
    expect(failures).toEqual([401, 401, 401])
    const blocked = await getFrom('127.0.0.2', url, appCredentials('app-a', 'pw-a'))
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(29)
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(30)
    expect(blocked.headers['www-authenticate']).toBeUndefined()
    expect(JSON.parse(blocked.body)).toEqual({
      statusCode: 429,
      message: 'Too many failed attempts; retry later.',
      error: 'rate_limited',
      error_description: 'Too many failed attempts; retry later.',
      code: 'rate_limited',
    })
    const otherClient = await getFrom('127.0.0.3', url, appCredentials('app-a', 'pw-a'))
    expect(otherClient.status).toBe(200)
    expect(JSON.parse(otherClient.body)).toEqual({ uuid: PROJECT_A })
  })

  it('checks Wazobia request signatures over the method, the path and the query as received', async () => {
    const server = await startApp(
      {
        imports: [PortcullisModule.forRoot(signedProjectsConfig('wazobia'))],
        controllers: [ProjectController],
      },
      { platform },
    )
    const path = '/project?tenant=a%20b&x=1'
    const signed = signRequest(
      { method: 'GET', url: path },
      { signingSecret: SIGNING_SECRET, mode: 'wazobia' },
    )
    const headers = { ...appCredentials('app-a', 'pw-a'), ...signed }
    expect((await server.request(path, { headers })).status).toBe(200)
    for (const [target, sent] of [
      ['/project?tenant=a%20b&x=2', headers],
      [path, appCredentials('app-a', 'pw-a')],
    ] as const) {
      const refused = await server.request(target, { headers: sent })
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ code: 'request_signature_invalid' })
    }
  })

  it('checks strict signatures over the raw body when the app keeps it (rawBody: true), refusing replays', async () => {
    const server = await startApp(
      {
        imports: [PortcullisModule.forRoot(signedProjectsConfig('strict'))],
        controllers: [ProjectController],
      },
      { platform, rawBody: true },
    )
    const body = '{"amount":10}'
    const send = (sentBody: string, signature: Record<string, string>) =>
      server.request('/project/echo?x=1', {
        method: 'POST',
        body: sentBody,
        headers: { 'content-type': 'application/json', ...appCredentials('app-a', 'pw-a'), ...signature },
      })
    const signature = signRequest(
      { method: 'POST', url: '/project/echo?x=1', body },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    const ok = await send(body, signature)
    expect(ok.status).toBe(201)
    expect(await ok.json()).toEqual({ uuid: PROJECT_A, body: { amount: 10 } })
    const replayed = await send(body, signature)
    expect(replayed.status).toBe(401)
    expect(await replayed.json()).toMatchObject({ code: 'request_signature_invalid' })
    // Signed two minutes ago (inside the window): a signature of its own, so no replay of the first.
    const earlier = signRequest(
      { method: 'POST', url: '/project/echo?x=1', body },
      { signingSecret: SIGNING_SECRET, mode: 'strict', timestampSec: Math.floor(Date.now() / 1000) - 120 },
    )
    const tampered = await send('{"amount":1000}', earlier)
    expect(tampered.status).toBe(401)
    expect(await tampered.json()).toMatchObject({ code: 'request_signature_invalid' })
    expect((await send(body, earlier)).status).toBe(201)
  })

  it('refuses strict signatures over a body when the app does not keep the raw body (fails closed)', async () => {
    const server = await startApp(
      {
        imports: [PortcullisModule.forRoot(signedProjectsConfig('strict'))],
        controllers: [ProjectController],
      },
      { platform },
    )
    const body = '{"amount":10}'
    const signature = signRequest(
      { method: 'POST', url: '/project/echo', body },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    const response = await server.request('/project/echo', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...appCredentials('app-a', 'pw-a'), ...signature },
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'request_signature_invalid' })
  })
})

/** Two instances of one service: separate Nest apps, separate `Auth`s, one Redis. */
async function twoInstances(): Promise<[RunningApp, RunningApp]> {
  const start = () =>
    startApp({
      imports: [
        PortcullisModule.forRoot(
          // A Redis command that waits longer than commandTimeoutMs for the connection (a cold, busy test worker)
          // fails; core does not retry a failed SUBSCRIBE, so the instance would miss every delta (reported).
          projectConfigFor(issuer, mercury, { redis: { url: redis.url, commandTimeoutMs: 5000 } }),
        ),
      ],
      controllers: [UserController, ProjectController],
    })
  const instances = await Promise.all([start(), start()])
  await Promise.all(instances.map((instance) => authOf(instance).ready()))
  return instances
}

function authOf(instance: RunningApp): PortcullisAuth {
  return instance.app.get<string, PortcullisAuth>(PORTCULLIS_AUTH)
}

/**
 * Sends `send()` every 5 ms from now on (not waiting for answers, so a slow answer does not delay the next
 * probe) until one is refused or `limitMs` passed; resolves with when, after now, the first refused probe was
 * sent, and the statuses of every probe sent after it.
 */
async function firstRefusal(
  send: () => Promise<Response>,
  limitMs: number,
): Promise<{ sentAtMs: number; response: Response; later: number[] }> {
  const started = performance.now()
  const probes: { sentAtMs: number; response: Promise<Response> }[] = []
  let refused = false
  while (!refused && performance.now() - started <= limitMs) {
    const probe = { sentAtMs: performance.now() - started, response: send() }
    probes.push(probe)
    void probe.response.then(
      (response) => {
        if (response.status !== 200) refused = true
      },
      () => {},
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const responses = await Promise.all(probes.map((probe) => probe.response))
  const first = responses.findIndex((response) => response.status !== 200)
  if (first === -1) throw new Error(`no probe sent within ${limitMs} ms was refused`)
  return {
    sentAtMs: (probes[first] as { sentAtMs: number }).sentAtMs,
    response: responses[first] as Response,
    later: responses.slice(first + 1).map((response) => response.status),
  }
}

describe('several instances sharing Redis', () => {
  it('refuses a token on one instance within 100 ms of its revocation on another', async () => {
    const [a, b] = await twoInstances()
    const token = await issuer.sign({ sub: 'ada', jti: 'shared-jti-1' })
    expect((await a.request('/user', { token })).status).toBe(200)
    expect((await b.request('/user', { token })).status).toBe(200) // now in b's own token cache
    await authOf(a).revoke.token('shared-jti-1', Math.floor(Date.now() / 1000) + 300)
    const refusal = await firstRefusal(() => b.request('/user', { token }), 100)
    expect(refusal.sentAtMs).toBeLessThanOrEqual(100)
    expect(refusal.response.status).toBe(401)
    expect(refusal.response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(await refusal.response.json()).toMatchObject({ code: 'token_revoked' })
    expect(refusal.later.every((status) => status === 401)).toBe(true)
  })

  it('refuses a project on one instance within 100 ms of its revocation on another', async () => {
    const [a, b] = await twoInstances()
    const headers = appCredentials('app-a', 'pw-a')
    expect(await (await a.request('/project', { headers })).json()).toEqual({ uuid: PROJECT_A })
    expect((await b.request('/project', { headers })).status).toBe(200)
    await authOf(a).revoke.project(PROJECT_A)
    const refusal = await firstRefusal(() => b.request('/project', { headers }), 100)
    expect(refusal.sentAtMs).toBeLessThanOrEqual(100)
    expect(refusal.response.status).toBe(401)
    expect(await refusal.response.json()).toMatchObject({ code: 'project_revoked' })
    expect(refusal.later.every((status) => status === 401)).toBe(true)
  })
})
