import { ConfigError } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { portcullis } from '../src/index.js'
import { authFor, EXPRESS_VERSIONS, request, serve, useIssuer } from './support.js'

const issuer = useIssuer()

describe.each(EXPRESS_VERSIONS)('$name protected-resource metadata', ({ express }) => {
  it('serves the RFC 9728 document at /.well-known/oauth-protected-resource', async () => {
    const auth = authFor(issuer(), {
      protectedResource: {
        resource: 'https://api.test',
        scopesSupported: ['notes:read'],
        resourceName: 'Notes',
      },
    })
    const app = express()
    app.use(portcullis(auth).protectedResourceMetadata())
    const base = await serve(app)

    const reply = await request(`${base}/.well-known/oauth-protected-resource`)

    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
    expect(reply.body).toEqual({
      resource: 'https://api.test',
      authorization_servers: [issuer().url],
      scopes_supported: ['notes:read'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes',
    })
  })

  it("inserts the resource's path after the well-known prefix, as RFC 9728 §3.1 says", async () => {
    const auth = authFor(issuer(), { protectedResource: { resource: 'https://api.test/notes/v1' } })
    const app = express()
    app.use(portcullis(auth).protectedResourceMetadata())
    const base = await serve(app)

    const served = await request(`${base}/.well-known/oauth-protected-resource/notes/v1`)
    const root = await request(`${base}/.well-known/oauth-protected-resource`)

    expect(served).toMatchObject({ status: 200, body: { resource: 'https://api.test/notes/v1' } })
    expect(root.status).toBe(404)
  })

  it('serves at the path of a configured metadataUrl, answers HEAD, and lets other methods through', async () => {
    const auth = authFor(issuer(), {
      protectedResource: { resource: 'https://api.test', metadataUrl: 'https://api.test/meta/resource.json' },
    })
    const app = express()
    app.use(portcullis(auth).protectedResourceMetadata())
    app.post('/meta/resource.json', (_req, res) => {
      res.status(405).json({ reached: 'the next route' })
    })
    const base = await serve(app)

    const get = await request(`${base}/meta/resource.json`)
    const head = await request(`${base}/meta/resource.json`, undefined, { method: 'HEAD' })
    const post = await request(`${base}/meta/resource.json`, undefined, { method: 'POST' })
    const wellKnown = await request(`${base}/.well-known/oauth-protected-resource`)

    expect(get).toMatchObject({ status: 200, body: { resource: 'https://api.test' } })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toMatch(/^application\/json/)
    expect(post).toMatchObject({ status: 405, body: { reached: 'the next route' } })
    expect(wellKnown.status).toBe(404)
  })

  it('names the metadata URL in every challenge', async () => {
    const auth = authFor(issuer(), { protectedResource: { resource: 'https://api.test' } })
    const guard = portcullis(auth)
    const app = express()
    app.use(guard.protectedResourceMetadata())
    app.get('/me', guard.jwtAuth(), (_req, res) => {
      res.json({})
    })
    const base = await serve(app)

    const reply = await request(`${base}/me`)

    expect(reply.status).toBe(401)
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer resource_metadata="https://api.test/.well-known/oauth-protected-resource"',
    )
  })

  it('refuses to build the route when protectedResource is not configured', () => {
    const guard = portcullis(authFor(issuer()))

    expect(() => guard.protectedResourceMetadata()).toThrow(ConfigError)
  })
})
