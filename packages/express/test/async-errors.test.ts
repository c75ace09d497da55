import type { NextFunction, Request, Response } from 'express'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mountController, portcullis } from '../src/index.js'
import { authFor, EXPRESS_VERSIONS, request, serve, useIssuer } from './support.js'

const issuer = useIssuer()

// Express 4 ignores the promises handlers return: whatever rejects there is an unhandled rejection,
// which crashes a Node process by default. Every test here watches for one.
const unhandled: unknown[] = []
const record = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  unhandled.length = 0
  process.on('unhandledRejection', record)
})
afterEach(() => {
  process.off('unhandledRejection', record)
})

/** Unhandled rejections are reported on a later turn of the event loop: give them one before asserting. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20))
}

describe.each(EXPRESS_VERSIONS)('$name async failures', ({ express }) => {
  it("a guarded handler that throws or rejects reaches Express's error handling through next(err)", async () => {
    const { JwtAuth } = portcullis(authFor(issuer()))
    class FailingController {
      @JwtAuth()
      async rejects(_req: Request, _res: Response) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        throw new Error('async failure')
      }
      @JwtAuth()
      throws(_req: Request, _res: Response) {
        throw new Error('sync failure')
      }
    }
    const app = express()
    mountController(app, new FailingController(), { 'GET /rejects': 'rejects', 'GET /throws': 'throws' })
    app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ failure: err.message })
    })
    const base = await serve(app)
    const token = await issuer().sign()

    const rejected = await request(`${base}/rejects`, token)
    const thrown = await request(`${base}/throws`, token)
    await settle()

    expect(rejected).toMatchObject({ status: 500, body: { failure: 'async failure' } })
    expect(thrown).toMatchObject({ status: 500, body: { failure: 'sync failure' } })
    expect(unhandled).toEqual([])
  })

  it('a failure that cannot be sent (headers already out) goes to next(err), not to an unhandled rejection', async () => {
    const { jwtAuth } = portcullis(authFor(issuer()))
    const forwarded: unknown[] = []
    const app = express()
    app.get(
      '/stream',
      (_req, res, next) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('partial')
        next()
      },
      jwtAuth(),
    )
    app.use((err: NodeJS.ErrnoException, _req: Request, res: Response, _next: NextFunction) => {
      forwarded.push(err.code)
      res.end()
    })
    const base = await serve(app)

    const reply = await request(`${base}/stream`)
    await settle()

    expect(reply).toMatchObject({ status: 200, body: 'partial' })
    expect(forwarded).toEqual(['ERR_HTTP_HEADERS_SENT'])
    expect(unhandled).toEqual([])
  })
})
