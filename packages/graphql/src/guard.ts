import type { AuthMode, AuthPolicy } from '@portcullis/core'

const BRAND = Symbol.for('@portcullis/graphql.guard')

/** The field extension under which directives and the Pothos plugin record a field's guard. */
export const GUARD_EXTENSION = 'portcullis'

/**
 * One field's requirement, normalised once when the schema is built. `key` is equal for equal
 * policies, so fields asking for the same thing share one compiled policy and one authentication.
 */
export interface FieldGuard {
  readonly [BRAND]: true
  readonly policy: Readonly<AuthPolicy> & { readonly mode: AuthMode }
  readonly key: string
}

export function createFieldGuard(policy: AuthPolicy): FieldGuard {
  const mode = policy.mode ?? 'jwt'
  const scopes = normalise(policy.scopes)
  const anyScopes = normalise(policy.anyScopes)
  const issuers = normalise(policy.issuers)
  const optional = policy.optional === true
  const normalised = Object.freeze({
    mode,
    ...(scopes && { scopes }),
    ...(anyScopes && { anyScopes }),
    ...(optional && { optional }),
    ...(issuers && { issuers }),
  })
  const key = JSON.stringify([mode, scopes ?? [], anyScopes ?? [], optional, issuers ?? []])
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
