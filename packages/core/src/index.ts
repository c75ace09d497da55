export { type Auth, type AuthOptions, type AuthResult, createAuth } from './auth.js'
export type { AuthMode, AuthPolicy, CompiledPolicy } from './authorize/policy.js'
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
export { AuthError, type AuthErrorCode, type ChallengeParams, isAuthError } from './errors.js'
export type { AuthEvent, AuthEventListener } from './events.js'
export {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type JwsAlgorithm,
  SYMMETRIC_ALGORITHMS,
  type SymmetricAlgorithm,
} from './jwt/algorithms.js'
export { type ProtectedResourceMetadata, protectedResourceMetadataUrl } from './metadata.js'
export type { PresetName } from './presets/names.js'
export type { Claims, User } from './presets/types.js'
export type { AuthInput, HeaderBag } from './request/input.js'
export type { Revoker } from './revocation/revoker.js'
