import { type AuthMode, type AuthPolicy, ConfigError } from '@portcullis/core'

/** An auth requirement as declared: which credentials (`mode`) and the rules that go with it. */
export type DeclaredAuth = Omit<AuthPolicy, 'scopes' | 'anyScopes' | 'userScopes' | 'projectScopes'> & {
  mode: AuthMode
}

/** What a field or an object type declares (directive arguments, Pothos options), before merging. */
export interface DeclaredPolicy {
  /** Set when an auth requirement (`@jwtAuth`, `auth: 'jwt'`, ...) is declared; scopes alone leave it unset. */
  auth?: DeclaredAuth
  scopes: readonly string[]
  anyScopes: readonly string[]
  userScopes: readonly string[]
  projectScopes: readonly string[]
}

/** Splits a full policy into the requirement and the scope lists that add up across levels. */
export function declare(policy: AuthPolicy, extraScopes: readonly string[] = []): DeclaredPolicy {
  const { scopes = [], anyScopes = [], userScopes = [], projectScopes = [], ...auth } = policy
  return {
    auth: { ...auth, mode: auth.mode ?? 'jwt' },
    scopes: [...scopes, ...extraScopes],
    anyScopes,
    userScopes,
    projectScopes,
  }
}

/**
 * The policy a field runs under, from its type's declaration and its own. The field's auth requirement
 * replaces the type's (mode, `optional`, `issuers`, project kinds, allow rules, `mergeScopes`); required
 * scopes (`scopes`, `userScopes`, `projectScopes`) add up; any-of scopes may be given on one level only
 * (two any-of lists cannot be one policy). Scopes with no auth requirement mean `jwt`.
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
  const auth = fieldLevel?.auth ?? typeLevel?.auth ?? { mode: 'jwt' }
  const both = (list: 'scopes' | 'userScopes' | 'projectScopes') => [
    ...(typeLevel?.[list] ?? []),
    ...(fieldLevel?.[list] ?? []),
  ]
  const scopes = both('scopes')
  const userScopes = both('userScopes')
  const projectScopes = both('projectScopes')
  const anyScopes = fieldLevel?.anyScopes.length ? fieldLevel.anyScopes : (typeLevel?.anyScopes ?? [])
  return {
    ...auth,
    ...(scopes.length > 0 && { scopes }),
    ...(anyScopes.length > 0 && { anyScopes }),
    ...(userScopes.length > 0 && { userScopes }),
    ...(projectScopes.length > 0 && { projectScopes }),
  }
}
