export type { ProjectIdentity } from '@portcullis/core'
export type {
  AuthenticatedContext,
  JwtIdentity,
  PortcullisContext,
  ProjectCredentialIdentity,
  ProjectOfKinds,
  ServiceCredentialIdentity,
} from './context.js'
export { applyPortcullisDirectives } from './directives/apply.js'
export { portcullisDirectiveTypeDefs } from './directives/type-defs.js'
export { PortcullisAuthError, type PortcullisErrorCode } from './errors.js'
export { type UsePortcullisOptions, usePortcullis } from './plugin.js'
export type { AuthName } from './policy-names.js'
export { type AuthInputReader, readAuthInput } from './request-input.js'
export {
  type GuardedContext,
  type ResolverPolicy,
  requiresAnyAuth,
  requiresCombinedAuth,
  requiresJwtAuth,
  requiresProjectAuth,
  requiresServiceAuth,
  type ServicePolicy,
} from './wrappers.js'
