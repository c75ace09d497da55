import type { Auth } from '@portcullis/core'

/** What each demo API is built from. */
export interface ApiOptions {
  /** Shared by every API and the issuer: one token cache, one revocation view. */
  auth: Auth
  /** Mount the project and combined routes (core supports project authentication). */
  projectMode: boolean
  /** Origins of the playground page. */
  allowedOrigins: ReadonlySet<string>
}
