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
