import { type AuthMode, type AuthPolicy, ConfigError } from '@portcullis/core'

/** What a field or an object type declares (directive arguments, Pothos options), before merging. */
export interface DeclaredPolicy {
  /** Set when an auth requirement (`@jwtAuth`, `auth: 'jwt'`, ...) is declared; scopes alone leave it unset. */
  mode?: AuthMode
  optional?: boolean
  issuers?: readonly string[]
  scopes: readonly string[]
  anyScopes: readonly string[]
}

/**
 * The policy a field runs under, from its type's declaration and its own. The field's auth requirement
 * replaces the type's (mode, `optional`, `issuers`); required scopes add up; any-of scopes may be given
 * on one level only (two any-of lists cannot be one policy). Scopes with no auth requirement mean `jwt`.
 * Undefined when neither level declares anything: the field is public.
 */
export function effectivePolicy(
  typeLevel: DeclaredPolicy | undefined,
  fieldLevel: DeclaredPolicy | undefined,
  where: string,
): AuthPolicy | undefined {
  if (!typeLevel && !fieldLevel) return undefined
  if (typeLevel?.anyScopes.length && fieldLevel?.anyScopes.length) {
    throw new ConfigError([
      {
        path: where,
        message:
          'any-of scopes on both the type and the field cannot be combined; list the accepted scopes once',
      },
    ])
  }
  const auth = fieldLevel?.mode ? fieldLevel : typeLevel?.mode ? typeLevel : undefined
  const scopes = [...(typeLevel?.scopes ?? []), ...(fieldLevel?.scopes ?? [])]
  const anyScopes = fieldLevel?.anyScopes.length ? fieldLevel.anyScopes : (typeLevel?.anyScopes ?? [])
  return {
    mode: auth?.mode ?? 'jwt',
    ...(auth?.optional && { optional: true }),
    ...(auth?.issuers?.length && { issuers: auth.issuers }),
    ...(scopes.length > 0 && { scopes }),
    ...(anyScopes.length > 0 && { anyScopes }),
  }
}
