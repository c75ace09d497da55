import type { AuthResult } from '@portcullis/core'

/**
 * What a Portcullis guard attaches to `req.auth`: core's `AuthResult` as is (`user`, `claims`, `token`,
 * `issuer`, and whatever core adds later). An optional guard that let an anonymous request through leaves `{}`.
 */
export type RequestAuth = AuthResult

declare global {
  // Express types its request through this global namespace; merging here types `req.auth` everywhere.
  namespace Express {
    interface Request {
      /** Set by a Portcullis guard once the request is authenticated; absent on unguarded routes. */
      auth?: RequestAuth
    }
  }
}
