import { hashProjectSecret, type PortcullisConfigInput, signRequest } from '@portcullis/core'
import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { portcullis } from '../src/index.js'
import {
  appHeaders,
  authFor,
  EXPRESS_VERSIONS,
  request,
  SERVICE_ID,
  SIGNING_SECRET,
  serve,
  useIssuer,
} from './support.js'

const issuer = useIssuer()

/** Project authentication from a static list (no Mercury), with signed requests in `mode`. */
function signedConfig(mode: 'strict' | 'wazobia'): Partial<PortcullisConfigInput> {
  return {
    projects: {
      signingSecret: SIGNING_SECRET,
      resolvers: ['static'],
      static: [
        {
          appId: 'app-s',
          secretHash: hashProjectSecret('pw-s', SIGNING_SECRET),
          projectUuid: 'proj-s',
          enabledServices: [SERVICE_ID],
        },
      ],
      signedRequests: { mode, exemptPaths: ['/health'] },
    },
    service: { id: SERVICE_ID },
  }
}

function sign(method: string, url: string, body: string, mode: 'strict' | 'wazobia' = 'strict') {
  return signRequest({ method, url, body }, { signingSecret: SIGNING_SECRET, mode })
}

function echo(req: Request, res: Response): void {
  res.json({
    project: req.auth?.project?.projectUuid ?? null,
    body: Buffer.isBuffer(req.body) ? 'raw' : req.body,
  })
}

describe.each(EXPRESS_VERSIONS)('$name signed requests', ({ express }) => {
  const JSON_TYPE = { 'content-type': 'application/json' }

  /** POST /orders in strict mode, behind express.raw(): the body reaches core exactly as sent. */
  const strictRawOrders = () => {
    const app = express()
    app.post(
      '/orders',
      express.raw({ type: '*/*' }),
      portcullis(authFor(issuer(), signedConfig('strict'))).projectAuth(),
      echo,
    )
    return serve(app)
  }

  it('strict: checks the raw body express.raw() kept, and refuses a body that differs from the signed one', async () => {
    const base = await strictRawOrders()
    const body = '{"amount":10}'
    const headers = { ...appHeaders('app-s', 'pw-s'), ...JSON_TYPE }

    const signed = await request(`${base}/orders`, undefined, {
      method: 'POST',
      body,
      headers: { ...headers, ...sign('POST', '/orders', body) },
    })
    const tampered = await request(`${base}/orders`, undefined, {
      method: 'POST',
      body: '{"amount":1000}',
      headers: { ...headers, ...sign('POST', '/orders', body) },
    })
    const unsigned = await request(`${base}/orders`, undefined, { method: 'POST', body, headers })

    expect(signed).toMatchObject({ status: 200, body: { project: 'proj-s', body: 'raw' } })
    expect(tampered.status).toBe(401)
    expect(tampered.body).toEqual({
      error: 'request_signature_invalid',
      error_description: 'The request signature is invalid.',
      code: 'request_signature_invalid',
    })
    expect(unsigned).toMatchObject({ status: 401, body: { code: 'request_signature_invalid' } })
  })

  it('strict: reads req.rawBody a JSON parser kept through its verify hook, and the handler still gets the parsed body', async () => {
    const app = express()
    app.use(
      express.json({
        verify: (req, _res, buffer) => {
          ;(req as { rawBody?: Buffer }).rawBody = buffer
        },
      }),
    )
    app.post('/orders', portcullis(authFor(issuer(), signedConfig('strict'))).projectAuth(), echo)
    const base = await serve(app)
    const body = '{"amount":10}'

    const reply = await request(`${base}/orders`, undefined, {
      method: 'POST',
      body,
      headers: { ...appHeaders('app-s', 'pw-s'), ...JSON_TYPE, ...sign('POST', '/orders', body) },
    })

    expect(reply).toMatchObject({ status: 200, body: { project: 'proj-s', body: { amount: 10 } } })
  })

  it('strict: checks a text body express.text() kept as a string', async () => {
    const app = express()
    app.use(express.text({ type: 'text/plain' }))
    app.put('/notes/1', portcullis(authFor(issuer(), signedConfig('strict'))).projectAuth(), echo)
    const base = await serve(app)
    const headers = { ...appHeaders('app-s', 'pw-s'), 'content-type': 'text/plain' }

    const signed = await request(`${base}/notes/1`, undefined, {
      method: 'PUT',
      body: 'héllo',
      headers: { ...headers, ...sign('PUT', '/notes/1', 'héllo') },
    })
    const other = await request(`${base}/notes/1`, undefined, {
      method: 'PUT',
      body: 'hello',
      headers: { ...headers, ...sign('PUT', '/notes/1', 'héllo') },
    })

    expect(signed).toMatchObject({ status: 200, body: { project: 'proj-s', body: 'héllo' } })
    expect(other.status).toBe(401)
  })

  it('strict: without a raw body the guard can read, a request with a body fails its signature', async () => {
    const app = express()
    app.use(express.json())
    app.post('/orders', portcullis(authFor(issuer(), signedConfig('strict'))).projectAuth(), echo)
    const base = await serve(app)
    const body = '{"amount":10}'

    const reply = await request(`${base}/orders`, undefined, {
      method: 'POST',
      body,
      headers: { ...appHeaders('app-s', 'pw-s'), ...JSON_TYPE, ...sign('POST', '/orders', body) },
    })

    expect(reply).toMatchObject({ status: 401, body: { code: 'request_signature_invalid' } })
  })

  it('strict: refuses the same signed request a second time (replay)', async () => {
    const base = await strictRawOrders()
    const body = 'order=1'
    const init = {
      method: 'POST',
      body,
      headers: { ...appHeaders('app-s', 'pw-s'), ...sign('POST', '/orders', body) },
    }

    expect((await request(`${base}/orders`, undefined, init)).status).toBe(200)
    expect(await request(`${base}/orders`, undefined, init)).toMatchObject({
      status: 401,
      body: { code: 'request_signature_invalid' },
    })
  })

  it('signs the URL as received: a router mount prefix and the query string are covered', async () => {
    const app = express()
    const router = express.Router()
    router.get('/orders', portcullis(authFor(issuer(), signedConfig('wazobia'))).projectAuth(), echo)
    app.use('/api', router)
    const base = await serve(app)
    const headers = appHeaders('app-s', 'pw-s')

    const right = await request(`${base}/api/orders?page=2`, undefined, {
      headers: { ...headers, ...sign('GET', '/api/orders?page=2', '', 'wazobia') },
    })
    const withoutPrefix = await request(`${base}/api/orders?page=2`, undefined, {
      headers: { ...headers, ...sign('GET', '/orders?page=2', '', 'wazobia') },
    })
    const otherQuery = await request(`${base}/api/orders?page=3`, undefined, {
      headers: { ...headers, ...sign('GET', '/api/orders?page=2', '', 'wazobia') },
    })

    expect(right).toMatchObject({ status: 200, body: { project: 'proj-s' } })
    expect(withoutPrefix.status).toBe(401)
    expect(otherQuery.status).toBe(401)
  })

  it('applies to bearer-token routes too, and leaves exempt paths unsigned', async () => {
    const guard = portcullis(authFor(issuer(), signedConfig('wazobia')))
    const app = express()
    app.get('/me', guard.jwtAuth(), echo)
    app.get('/health', guard.jwtAuth(), echo)
    const base = await serve(app)
    const token = await issuer().sign()

    expect((await request(`${base}/me`, token)).status).toBe(401)
    expect((await request(`${base}/me`, token, { headers: sign('GET', '/me', '', 'wazobia') })).status).toBe(
      200,
    )
    expect((await request(`${base}/health`, token)).status).toBe(200)
  })
})
