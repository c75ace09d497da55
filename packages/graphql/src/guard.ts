import type { AuthMode, AuthPolicy } from '@portcullis/core'

const BRAND = Symbol.for('@portcullis/graphql.guard')

/** The field extension under which directives and the Pothos plugin record a field's guard. */
export const GUARD_EXTENSION = 'portcullis'

/** The normalised policy of a guard: a core `AuthPolicy` whose mode is always set. */
export type GuardPolicy = Readonly<AuthPolicy> & { readonly mode: AuthMode }

/**
 * One field's requirement, normalised once when the schema is built. `key` is equal for equal
 * policies, so fields asking for the same thing share one compiled policy. It is undefined when the
 * policy holds a function (an allow rule's predicate), which no key can tell apart: such a guard gets
 * a compiled policy of its own.
 */
export interface FieldGuard {
  readonly [BRAND]: true
  readonly policy: GuardPolicy
  readonly key: string | undefined
}

/** Policy lists whose order and repetitions mean nothing: sorted and de-duplicated, so equal sets share a key. */
const SET_LISTS: ReadonlySet<string> = new Set([
  'scopes',
  'anyScopes',
  'userScopes',
  'projectScopes',
  'issuers',
  'projectKinds',
  'accept',
])

/**
 * Normalises a policy: `mode` always set, set-like lists sorted (empty ones dropped), every other field
 * passed to core as given, so a policy field core adds later needs no change here.
 */
export function createFieldGuard(policy: AuthPolicy): FieldGuard {
  const normalised: Record<string, unknown> = { mode: policy.mode ?? 'jwt' }
  const fields = Object.entries(policy).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [name, value] of fields) {
    if (name === 'mode' || value === undefined) continue
    if (!SET_LISTS.has(name)) normalised[name] = value
    else {
      const list = normalise(value as readonly string[])
      if (list) normalised[name] = list
    }
  }
  let opaque = false
  const json = JSON.stringify(normalised, (_name, value: unknown) => {
    if (typeof value === 'function') opaque = true
    return value
  })
  return Object.freeze({
    [BRAND]: true as const,
    policy: Object.freeze(normalised) as GuardPolicy,
    key: opaque ? undefined : json,
  })
}

export function isFieldGuard(value: unknown): value is FieldGuard {
  return typeof value === 'object' && value !== null && (value as Partial<FieldGuard>)[BRAND] === true
}

/** Sorted, de-duplicated and frozen; undefined when empty, so `[]` and no list mean the same. */
function normalise(list: readonly string[] | undefined): readonly string[] | undefined {
  if (!list?.length) return undefined
  return Object.freeze([...new Set(list)].sort())
}
