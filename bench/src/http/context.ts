import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What every benchmark server is told: the issuer to trust and the jtis revoked before the run. */
export interface ServerContext {
  issuer: string
  jwksUri: string
  audience: string
  alg: 'RS256'
  revokedJtis: { jti: string; exp: number }[]
  redisUrl?: string
}

/** A server the child process can listen with: an Express-style request listener, plus its own shutdown. */
export interface BenchServer {
  listen(): Promise<number>
  close(): Promise<void>
}

/** The one protected route every framework serves, with the same tiny JSON body. */
export const ROUTE = '/me'

/** A `BenchServer` over a plain Node request listener (an Express app, a Yoga instance) on 127.0.0.1. */
export function serveListener(
  listener: RequestListener,
  close: () => Promise<void> = async () => {},
): BenchServer {
  const server = createServer(listener)
  return {
    listen: () =>
      new Promise((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      ),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await close()
    },
  }
}
