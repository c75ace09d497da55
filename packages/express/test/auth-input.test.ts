import { Agent, request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { toAuthInput } from '../src/auth-input.js'
import { EXPRESS_VERSIONS, serve } from './support.js'

/** GET over one keep-alive connection (the agent keeps a single socket), answering the body as JSON. */
function get(agent: Agent, url: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve(JSON.parse(text)))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.each(EXPRESS_VERSIONS)('$name: the protocol core is given', ({ express }) => {
  // Whatever `trust proxy` says, core must see exactly what `req.protocol` says, request after request on one
  // connection (the trust verdict is remembered per connection), and again after the setting changes.
  const settings: [string, unknown][] = [
    ['off', false],
    ['everyone', true],
    ['loopback', 'loopback'],
    ['another network', '10.0.0.0/8'],
    ['a function', (address: string) => address === '127.0.0.1'],
    ['one hop', 1],
  ]
  const headerSets: Record<string, string>[] = [
    {},
    { 'x-forwarded-proto': 'https' },
    { 'x-forwarded-proto': 'http' },
    { 'x-forwarded-proto': ' https , http' },
    { 'x-forwarded-proto': 'HTTPS' },
    { 'x-forwarded-proto': '' },
  ]

  it('matches req.protocol for every trust proxy setting and X-Forwarded-Proto value', async () => {
    const app = express()
    app.get('/p', (req, res) => {
      res.json({ ours: toAuthInput(req).protocol, express: req.protocol })
    })
    const url = await serve(app)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const seen = new Set<string>()
      for (const [, setting] of settings) {
        app.set('trust proxy', setting)
        for (const headers of headerSets) {
          const body = (await get(agent, `${url}/p`, headers)) as { ours: string; express: string }
          expect(body.ours).toBe(body.express)
          seen.add(body.express)
        }
      }
      // The cases cover both answers, so agreement is not agreement on one constant.
      expect([...seen]).toEqual(expect.arrayContaining(['http', 'https']))
    } finally {
      agent.destroy()
    }
  })
})
