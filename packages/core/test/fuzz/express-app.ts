import { once } from 'node:events'
import { type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
// The Express adapter is imported from its source: a workspace devDependency from core on
// @portcullis/express would make the package graph cyclic (express depends on core).
import { portcullis } from '../../../express/src/index.js'
import type { Auth } from '../../src/index.js'

// `express` itself is the adapter's own devDependency; load that exact copy.
const requireFromAdapter = createRequire(new URL('../../../express/package.json', import.meta.url))

type Handler = (req: IncomingMessage & { auth?: unknown }, res: ServerResponse, next: () => void) => void
interface MinimalExpressApp {
  (req: IncomingMessage, res: ServerResponse): void
  get(path: string, ...handlers: unknown[]): void
  all(path: string, ...handlers: unknown[]): void
  use(handler: unknown): void
  listen(port: number, host: string): Server
}
const express = requireFromAdapter('express') as () => MinimalExpressApp

/** A real Express 5 server on loopback guarded by Portcullis: GET /me needs a bearer token. */
export interface GuardedServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

export async function startGuardedServer(auth: Auth): Promise<GuardedServer> {
  const { jwtAuth, anyAuth } = portcullis(auth)
  const app = express()
  const me: Handler = (req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true, auth: req.auth }))
  }
  app.get('/me', jwtAuth(), me)
  if (auth.config.projects || auth.config.mercury) app.all('/any', anyAuth(), me)
  // An app error handler like most apps have: anything that reaches it is a server error.
  app.use((error: unknown, _req: IncomingMessage, res: ServerResponse, _next: () => void) => {
    res.statusCode = 500
    res.end(String((error as Error)?.message ?? error))
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One request with headers given as raw [name, value] pairs, so a name may repeat exactly as on the wire
 * (fetch and Headers would merge or refuse what we need to send).
 */
export function rawRequest(
  port: number,
  path: string,
  headers: readonly (readonly [string, string])[],
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const flat: string[] = ['host', `127.0.0.1:${port}`]
    for (const [name, value] of headers) flat.push(name, value)
    const req = request({ host: '127.0.0.1', port, path, method, headers: flat, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
