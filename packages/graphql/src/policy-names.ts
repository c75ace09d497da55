import type { AuthMode, AuthPolicy } from '@portcullis/core'

/** The names every idiom (directive, wrapper, Pothos option) uses for a kind of credential. */
export type AuthName = AuthMode | 'service'

/**
 * The core policy behind a name. `service` is project mode restricted to Mercury service tokens:
 * another service calling, not a project (no app credentials, project or platform tokens).
 */
export function policyOfName(name: AuthName): AuthPolicy & { mode: AuthMode } {
  return name === 'service' ? { mode: 'project', projectKinds: ['service'] } : { mode: name }
}
