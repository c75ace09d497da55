import type { IncomingMessage, ServerResponse } from 'node:http'
import { LoopbackServer, sendJson } from './loopback-server.js'

/** What a handler sees: the request, its path and query, and its body (read up to 64 KiB). */
export interface StandInRequest {
  method: string
  pathname: string
  headers: IncomingMessage['headers']
  body: string
}

export interface StandInReply {
  status: number
  body: unknown
}

export type StandInHandler = (request: StandInRequest) => StandInReply

const MAX_BODY = 64 * 1024

const FAULTS = {
  error500: JSON.stringify({ message: 'Internal server error' }),
  malformed: '{"projectUuid": [ not json',
}

/** A loopback HTTP server for the Mercury stand-in, with the issuer's fault modes. */
export class StandInHttpServer extends LoopbackServer {
  readonly #handler: StandInHandler
  readonly #onRequest: (pathname: string) => void

  private constructor(handler: StandInHandler, onRequest: (pathname: string) => void) {
    super()
    this.#handler = handler
    this.#onRequest = onRequest
  }

  static async listen(
    handler: StandInHandler,
    onRequest: (pathname: string) => void,
  ): Promise<StandInHttpServer> {
    const server = new StandInHttpServer(handler, onRequest)
    await server.listen()
    return server
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    this.#onRequest(pathname)
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    request.on('end', () => {
      this.answer(request, response, FAULTS, () => this.#reply(request, response, pathname, chunks))
    })
  }

  #reply(request: IncomingMessage, response: ServerResponse, pathname: string, chunks: Buffer[]): void {
    if (response.destroyed) return
    const reply = this.#handler({
      method: request.method ?? 'GET',
      pathname,
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    })
    sendJson(response, reply.status, JSON.stringify(reply.body))
  }
}
