import type { AuthMode, AuthPolicy } from '@portcullis/core'
import type { AuthenticatedContext, PortcullisContext } from '../context.js'

/** The `auth` option of a Pothos field or object type: a mode, or a full policy. */
export type PothosAuthOption = AuthMode | AuthPolicy

/** The context a resolver sees once `Auth` passed: what `authenticatedField` gives its `resolve`. */
export type ContextForAuth<Auth extends PothosAuthOption> = Auth extends AuthMode
  ? AuthenticatedContext<Auth>
  : Auth extends { optional: true }
    ? PortcullisContext
    : Auth extends { mode: infer Mode extends AuthMode }
      ? AuthenticatedContext<Mode>
      : AuthenticatedContext<'jwt'>

/** Options this plugin reads on fields and object types. */
export interface PortcullisPothosOptions {
  auth?: PothosAuthOption
  scopes?: readonly string[]
}
