import type { IncomingMessage, ServerResponse } from 'node:http'
import { LoopbackServer, sendJson } from './loopback-server.js'

export type { FaultMode } from './loopback-server.js'

export type IssuerEndpoint = 'jwks' | 'discovery'

export interface IssuerRoute {
  endpoint: IssuerEndpoint
  /** Produces the JSON document at response time, so it reflects the latest keys and overrides. */
  document: () => unknown
}

/** Maps a request path (without query) to an endpoint; undefined means 404. */
export type IssuerRouter = (pathname: string) => IssuerRoute | undefined

const FAULTS = { error500: '{"error":"server_error"}', malformed: '{"keys": [ this is not json' }
const CACHEABLE = { 'Cache-Control': 'max-age=60' }

/** A loopback HTTP server that serves the issuer's documents and can be told to misbehave. */
export class IssuerHttpServer extends LoopbackServer {
  readonly counts: Record<IssuerEndpoint, number> = { jwks: 0, discovery: 0 }
  readonly #router: IssuerRouter

  private constructor(router: IssuerRouter) {
    super()
    this.#router = router
  }

  /** Listens on 127.0.0.1 at a free port. */
  static async listen(router: IssuerRouter): Promise<IssuerHttpServer> {
    const server = new IssuerHttpServer(router)
    await server.listen()
    return server
  }

  resetCounts(): void {
    this.counts.jwks = 0
    this.counts.discovery = 0
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const route = this.#router(pathname)
    if (route) this.counts[route.endpoint]++
    this.answer(request, response, FAULTS, () => respond(request, response, route))
  }
}

function respond(request: IncomingMessage, response: ServerResponse, route: IssuerRoute | undefined): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, '{"error":"method_not_allowed"}', { ...CACHEABLE, Allow: 'GET, HEAD' })
  } else if (!route) {
    sendJson(response, 404, '{"error":"not_found"}', CACHEABLE)
  } else {
    sendJson(response, 200, JSON.stringify(route.document()), CACHEABLE)
  }
}
