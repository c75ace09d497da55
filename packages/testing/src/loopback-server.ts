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

/** The JSON bodies a server sends when told to misbehave. */
export interface FaultBodies {
  error500: string
  malformed: string
}

/** A JSON server on 127.0.0.1 at a free port that can be told to misbehave (the test issuer, the Mercury stand-in). */
export abstract class LoopbackServer {
  mode: FaultMode = 'ok'
  slowMs = 2000
  readonly #server = createServer((request, response) => this.handle(request, response))
  readonly #timers = new Set<NodeJS.Timeout>()
  #closing: Promise<void> | undefined

  protected abstract handle(request: IncomingMessage, response: ServerResponse): void

  protected async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Stops listening and drops every open connection, including idle keep-alive ones. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer)
      this.#timers.clear()
      this.#server.close(() => resolve())
      // server.close() drops only idle keep-alive connections; this also drops those mid-request,
      // such as a response held back by 'slow' mode, which would otherwise keep close() waiting.
      this.#server.closeAllConnections()
    })
    return this.#closing
  }

  /** Answers as `mode` says: `respond` is the normal answer, given at once or after `slowMs`. */
  protected answer(
    request: IncomingMessage,
    response: ServerResponse,
    faults: FaultBodies,
    respond: () => void,
  ): void {
    switch (this.mode) {
      case 'down':
        request.socket.destroy()
        return
      case 'error500':
        sendJson(response, 500, faults.error500)
        return
      case 'malformed':
        sendJson(response, 200, faults.malformed)
        return
      case 'slow': {
        const timer = setTimeout(() => {
          this.#timers.delete(timer)
          respond()
        }, this.slowMs)
        this.#timers.add(timer)
        return
      }
      case 'ok':
        respond()
    }
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  })
  response.end(body)
}
