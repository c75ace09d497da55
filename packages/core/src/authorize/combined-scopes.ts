import { AuthError, because } from '../errors.js'

/** What a route in combined mode (user token + project credentials) requires of each party. */
export interface CombinedScopeRequirement {
  /** Every one required of the user's token. */
  userScopes?: readonly string[]
  /** Every one required of the project. */
  projectScopes?: readonly string[]
  /**
   * Every one required of both the user and the project, separately; with `mergeScopes`, of the two
   * together (a scope held by either counts).
   */
  scopes?: readonly string[]
  /** Explicit opt-in to pooling the user's and the project's scopes for `scopes`. Default false. */
  mergeScopes?: boolean
}

/**
 * Checks scopes in combined mode, keeping the user's and the project's apart unless merging was asked for:
 * a project's broad scopes never lend rights to a user who lacks them. Throws 403 `insufficient_scope`
 * (naming the scopes that would do, as RFC 6750 `scope=`).
 */
export function checkCombinedScopes(
  granted: { user: readonly string[]; project: readonly string[] },
  required: CombinedScopeRequirement,
): void {
  requireAll(granted.user, required.userScopes, 'user')
  requireAll(granted.project, required.projectScopes, 'project')
  const scopes = required.scopes
  if (!scopes || scopes.length === 0) return
  if (required.mergeScopes) {
    requireAll([...granted.user, ...granted.project], scopes, 'user and project together')
  } else {
    requireAll(granted.user, scopes, 'user')
    requireAll(granted.project, scopes, 'project')
  }
}

function requireAll(
  granted: readonly string[],
  required: readonly string[] | undefined,
  party: string,
): void {
  if (!required || required.length === 0) return
  const missing = required.filter((scope) => !granted.includes(scope))
  if (missing.length > 0) {
    throw new AuthError('insufficient_scope', {
      scopes: required,
      cause: because(`${party} lacks scopes: ${missing.join(' ')}`),
    })
  }
}
