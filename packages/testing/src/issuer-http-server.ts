import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * How the server answers every request, for outage tests:
 * - `ok`: normally
 * - `down`: destroys the socket without a response
 * - `malformed`: 200 with a body that is not valid JSON
 * - `slow`: normally, after `slowMs`
 * - `error500`: HTTP 500
 */
export type FaultMode = 'ok' | 'down' | 'malformed' | 'slow' | 'error500'

export type IssuerEndpoint = 'jwks' | 'discovery'

export interface IssuerRoute {
  endpoint: IssuerEndpoint
  /** Produces the JSON document at response time, so it reflects the latest keys and overrides. */
  document: () => unknown
}

/** Maps a request path (without query) to an endpoint; undefined means 404. */
export type IssuerRouter = (pathname: string) => IssuerRoute | undefined

/** A loopback HTTP server that serves the issuer's documents and can be told to misbehave. */
export class IssuerHttpServer {
  mode: FaultMode = 'ok'
  slowMs = 2000
  readonly counts: Record<IssuerEndpoint, number> = { jwks: 0, discovery: 0 }

  readonly #server = createServer((request, response) => this.#handle(request, response))
  readonly #slowTimers = new Set<NodeJS.Timeout>()
  readonly #router: IssuerRouter
  #closing: Promise<void> | undefined

  private constructor(router: IssuerRouter) {
    this.#router = router
  }

  /** Listens on 127.0.0.1 at a free port. */
  static async listen(router: IssuerRouter): Promise<IssuerHttpServer> {
    const server = new IssuerHttpServer(router)
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject)
      server.#server.listen(0, '127.0.0.1', () => {
        server.#server.off('error', reject)
        resolve()
      })
    })
    return server
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  resetCounts(): void {
    this.counts.jwks = 0
    this.counts.discovery = 0
  }

  /** Stops listening and drops every open connection, including idle keep-alive ones. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#slowTimers) clearTimeout(timer)
      this.#slowTimers.clear()
      this.#server.close(() => resolve())
      // server.close() drops only idle keep-alive connections; this also drops those mid-request,
      // such as a response held back by 'slow' mode, which would otherwise keep close() waiting.
      this.#server.closeAllConnections()
    })
    return this.#closing
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const route = this.#router(pathname)
    if (route) this.counts[route.endpoint]++

    switch (this.mode) {
      case 'down':
        request.socket.destroy()
        return
      case 'error500':
        sendJson(response, 500, '{"error":"server_error"}')
        return
      case 'malformed':
        sendJson(response, 200, '{"keys": [ this is not json')
        return
      case 'slow': {
        const timer = setTimeout(() => {
          this.#slowTimers.delete(timer)
          this.#respond(request, response, route)
        }, this.slowMs)
        this.#slowTimers.add(timer)
        return
      }
      case 'ok':
        this.#respond(request, response, route)
    }
  }

  #respond(request: IncomingMessage, response: ServerResponse, route: IssuerRoute | undefined): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD')
      sendJson(response, 405, '{"error":"method_not_allowed"}')
    } else if (!route) {
      sendJson(response, 404, '{"error":"not_found"}')
    } else {
      sendJson(response, 200, JSON.stringify(route.document()))
    }
  }
}

function sendJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'max-age=60',
    'Content-Length': Buffer.byteLength(body),
  })
  response.end(body)
}
