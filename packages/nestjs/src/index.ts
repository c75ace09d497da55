export type {
  Auth as PortcullisAuth,
  AuthMode,
  AuthPolicy as PortcullisAuthPolicy,
  AuthResult as PortcullisAuthResult,
  ProjectIdentity,
  ProjectKind,
  ProjectPrincipal,
  ServicePrincipal,
  User,
} from '@portcullis/core'
export { Auth } from './auth.decorator.js'
export { AnyAuthGuard, CombinedAuthGuard, JwtAuthGuard, ProjectAuthGuard } from './guards/mode-guards.js'
export { type AuthErrorBody, sendAuthErrorHeaders, toHttpException } from './http-exception.js'
export { AnyScopes, AuthPolicy, Public, type RoutePolicy, Scopes } from './metadata.js'
export { AuthResult, Claims, CurrentProject, CurrentUser } from './param-decorators.js'
export {
  type PortcullisAuthSource,
  PortcullisModule,
  type PortcullisModuleAsyncOptions,
  type PortcullisModuleOptions,
} from './portcullis.module.js'
export { InjectAuth, PORTCULLIS_AUTH } from './tokens.js'
