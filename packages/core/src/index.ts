export { type ApiKeyIdentity, hashApiKey } from './api-keys/api-key-authenticator.js'
export { type Auth, type AuthOptions, type AuthResult, createAuth } from './auth.js'
export type { AllowRulesConfigInput } from './authorize/allow-rules.js'
export type { AuthMode, AuthPolicy, CompiledPolicy, CredentialKind, ProjectKind } from './authorize/policy.js'
export { readScopes } from './authorize/scopes.js'
export { ConfigError } from './config/errors.js'
export { type LoadConfigOptions, loadConfig } from './config/load.js'
export type {
  ClaimsCheck,
  IssuerConfig,
  IssuerConfigInput,
  PortcullisConfig,
  PortcullisConfigInput,
  ProtectedResourceConfig,
} from './config/schema.js'
export {
  AuthError,
  type AuthErrorCode,
  type ChallengeParams,
  isAuthError,
  withoutStackTrace,
} from './errors.js'
export type { AuthEvent, AuthEventListener } from './events.js'
export {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type JwsAlgorithm,
  SYMMETRIC_ALGORITHMS,
  type SymmetricAlgorithm,
} from './jwt/algorithms.js'
export type { Logger } from './logger.js'
export { type ProtectedResourceMetadata, protectedResourceMetadataUrl } from './metadata.js'
export type { PresetName } from './presets/names.js'
export type { Claims, User } from './presets/types.js'
export type { ProjectCredentials } from './projects/credentials.js'
export type { ResolveProjectFunction } from './projects/function-resolver.js'
export type {
  ProjectIdentity,
  ProjectPrincipal,
  ProjectRecord,
  ServicePrincipal,
} from './projects/project.js'
export type { ProjectRecordInput } from './projects/project-record.js'
export { hashProjectSecret } from './projects/secret-hash.js'
export { signRequest } from './projects/signed-request.js'
export {
  keepRequestAuthRecord,
  type RequestAuthRecord,
  requestAuthRecord,
  showAuth,
} from './request/attached-auth.js'
export type { AuthInput, HeaderBag } from './request/input.js'
export {
  forwardedClientAddress,
  forwardedProtocol,
  headersKeepingRepeatedAuthorization,
  type ProxyTrust,
  requestClientAddress,
  requestProperty,
  requestProtocol,
} from './request/node-request.js'
export type { Revoker } from './revocation/revoker.js'
