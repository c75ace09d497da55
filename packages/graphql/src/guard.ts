import type { AuthMode, AuthPolicy, ProjectKind } from '@portcullis/core'

const BRAND = Symbol.for('@portcullis/graphql.guard')

/** The field extension under which directives and the Pothos plugin record a field's guard. */
export const GUARD_EXTENSION = 'portcullis'

/** The normalised policy of a guard: a core `AuthPolicy` whose mode is always set. */
export type GuardPolicy = Readonly<AuthPolicy> & { readonly mode: AuthMode }

/**
 * One field's requirement, normalised once when the schema is built. `key` is equal for equal
 * policies, so fields asking for the same thing share one compiled policy. It is undefined when the
 * policy has its own allow rules, which may hold a predicate function no key can tell apart: such a
 * guard gets a compiled policy of its own.
 */
export interface FieldGuard {
  readonly [BRAND]: true
  readonly policy: GuardPolicy
  readonly key: string | undefined
}

export function createFieldGuard(policy: AuthPolicy): FieldGuard {
  const mode = policy.mode ?? 'jwt'
  const scopes = normalise(policy.scopes)
  const anyScopes = normalise(policy.anyScopes)
  const userScopes = normalise(policy.userScopes)
  const projectScopes = normalise(policy.projectScopes)
  const issuers = normalise(policy.issuers)
  const projectKinds = normalise(policy.projectKinds) as readonly ProjectKind[] | undefined
  const optional = policy.optional === true
  const mergeScopes = policy.mergeScopes === true
  const allow = policy.allow
  const normalised: GuardPolicy = Object.freeze({
    mode,
    ...(scopes && { scopes }),
    ...(anyScopes && { anyScopes }),
    ...(userScopes && { userScopes }),
    ...(projectScopes && { projectScopes }),
    ...(optional && { optional }),
    ...(mergeScopes && { mergeScopes }),
    ...(issuers && { issuers }),
    ...(projectKinds && { projectKinds }),
    ...(allow && { allow }),
  })
  const key = allow
    ? undefined
    : JSON.stringify([
        mode,
        scopes ?? [],
        anyScopes ?? [],
        userScopes ?? [],
        projectScopes ?? [],
        optional,
        mergeScopes,
        issuers ?? [],
        projectKinds ?? [],
      ])
  return Object.freeze({ [BRAND]: true as const, policy: normalised, key })
}

export function isFieldGuard(value: unknown): value is FieldGuard {
  return typeof value === 'object' && value !== null && (value as Partial<FieldGuard>)[BRAND] === true
}

/** Sorted, de-duplicated and frozen; undefined when empty, so `[]` and no list mean the same. */
function normalise(list: readonly string[] | undefined): readonly string[] | undefined {
  if (!list?.length) return undefined
  return Object.freeze([...new Set(list)].sort())
}
