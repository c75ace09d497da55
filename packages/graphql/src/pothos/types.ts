import type { AuthMode, AuthPolicy } from '@portcullis/core'
import type { AuthenticatedContext, PortcullisContext, ProjectOfKinds } from '../context.js'
import type { AuthName } from '../policy-names.js'

/**
 * The `auth` option of a Pothos field or object type: a name (`'jwt' | 'project' | 'combined' |
 * 'any'`, or `'service'` for Mercury service tokens only), or a full core policy.
 */
export type PothosAuthOption = AuthName | AuthPolicy

/** The context a resolver sees once `Auth` passed: what `authenticatedField` gives its `resolve`. */
export type ContextForAuth<Auth extends PothosAuthOption> = Auth extends AuthName
  ? AuthenticatedContext<Auth>
  : Auth extends { optional: true }
    ? PortcullisContext
    : Auth extends { mode: infer Mode extends AuthMode }
      ? AuthenticatedContext<Mode> & ProjectOfKinds<Auth>
      : AuthenticatedContext<'jwt'>

/** Options this plugin reads on fields and object types. */
export interface PortcullisPothosOptions {
  auth?: PothosAuthOption
  scopes?: readonly string[]
}
