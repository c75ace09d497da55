import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FaultMode } from './issuer-http-server.js'

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

/** A loopback HTTP server for the Mercury stand-in, with the issuer's fault modes. */
export class StandInHttpServer {
  mode: FaultMode = 'ok'
  slowMs = 2000
  readonly #server = createServer((request, response) => this.#handle(request, response))
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #handler: StandInHandler
  readonly #onRequest: (pathname: string) => void
  #closing: Promise<void> | undefined

  private constructor(handler: StandInHandler, onRequest: (pathname: string) => void) {
    this.#handler = handler
    this.#onRequest = onRequest
  }

  static async listen(
    handler: StandInHandler,
    onRequest: (pathname: string) => void,
  ): Promise<StandInHttpServer> {
    const server = new StandInHttpServer(handler, onRequest)
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject)
      server.#server.listen(0, '127.0.0.1', () => {
        server.#server.off('error', reject)
        resolve()
      })
    })
    return server
  }

  get origin(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer)
      this.#timers.clear()
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
    return this.#closing
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    this.#onRequest(pathname)
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    request.on('end', () => {
      switch (this.mode) {
        case 'down':
          request.socket.destroy()
          return
        case 'error500':
          send(response, 500, { message: 'Internal server error' })
          return
        case 'malformed':
          sendRaw(response, 200, '{"projectUuid": [ not json')
          return
        case 'slow': {
          const timer = setTimeout(() => {
            this.#timers.delete(timer)
            this.#reply(request, response, pathname, chunks)
          }, this.slowMs)
          this.#timers.add(timer)
          return
        }
        case 'ok':
          this.#reply(request, response, pathname, chunks)
      }
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
    send(response, reply.status, reply.body)
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  sendRaw(response, status, JSON.stringify(body))
}

function sendRaw(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  })
  response.end(text)
}
