export type {
  AuthenticatedContext,
  JwtIdentity,
  PortcullisContext,
  ProjectIdentity,
} from './context.js'
export { applyPortcullisDirectives } from './directives/apply.js'
export { portcullisDirectiveTypeDefs } from './directives/type-defs.js'
export { PortcullisAuthError, type PortcullisErrorCode } from './errors.js'
export { type UsePortcullisOptions, usePortcullis } from './plugin.js'
export { type AuthInputReader, readAuthInput } from './request-input.js'
export {
  type GuardedContext,
  type ResolverPolicy,
  requiresAnyAuth,
  requiresCombinedAuth,
  requiresJwtAuth,
  requiresProjectAuth,
} from './wrappers.js'
