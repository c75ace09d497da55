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

  // Likewise the client address: exactly `req.ip`, whatever the setting and however X-Forwarded-For is shaped,
  // on one connection (verdicts are remembered across requests), and again after the setting changes.
  const addressSettings: [string, unknown][] = [
    ...settings,
    ['two hops', 2],
    ['loopback and a range', ['loopback', '10.0.0.0/8']],
    ['a function of the hop', (_address: string, hop: number) => hop < 2],
  ]
  const forwardedFor = [
    undefined,
    '203.0.113.7',
    '198.51.100.1, 203.0.113.7',
    '198.51.100.1,10.1.2.3',
    ' 198.51.100.1 ,  10.1.2.3 , 127.0.0.1 ',
    '10.9.9.9, 10.1.2.3',
    '::ffff:198.51.100.4, 2001:db8::1',
    ', ,',
    'not-an-ip, 203.0.113.9',
    '',
  ]

  it('matches req.ip for every trust proxy setting and X-Forwarded-For shape', async () => {
    const app = express()
    app.get('/ip', (req, res) => {
      res.json({ ours: toAuthInput(req).ip ?? null, express: req.ip ?? null })
    })
    const url = await serve(app)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const seen = new Set<string>()
      for (const [name, setting] of addressSettings) {
        app.set('trust proxy', setting)
        for (const value of forwardedFor) {
          const headers: Record<string, string> = value === undefined ? {} : { 'x-forwarded-for': value }
          const body = (await get(agent, `${url}/ip`, headers)) as { ours: string; express: string }
          expect(body.ours, `${name}, X-Forwarded-For ${JSON.stringify(value)}`).toBe(body.express)
          seen.add(body.express)
        }
      }
      // Peer, right-most, further left and left-most answers all occur: agreement is not on one constant.
      expect([...seen]).toEqual(
        expect.arrayContaining(['203.0.113.7', '198.51.100.1', '10.1.2.3', '10.9.9.9', '2001:db8::1']),
      )
      expect([...seen].some((address) => address.endsWith('127.0.0.1'))).toBe(true)
    } finally {
      agent.destroy()
    }
  })
})
