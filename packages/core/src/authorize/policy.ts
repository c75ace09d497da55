import { AuthError, because } from '../errors.js'
import { type AllowRules, type AllowRulesConfigInput, compileAllowRules } from './allow-rules.js'

export type AuthMode = 'jwt' | 'project' | 'combined' | 'any'

/** What a route requires. Plain data, so adapters can build it from decorator or directive arguments. */
export interface AuthPolicy {
  /** Which credentials count (default `jwt`). */
  mode?: AuthMode
  /** Every one of these scopes is required. */
  scopes?: readonly string[]
  /** At least one of these scopes is required. */
  anyScopes?: readonly string[]
  /** Let requests without credentials through as anonymous; invalid credentials still fail. */
  optional?: boolean
  /** Accept tokens only from these issuers (exact `iss`), out of those configured. */
  issuers?: readonly string[]
  /** Combined/any modes: scopes required of the user's token alone. */
  userScopes?: readonly string[]
  /** Project, combined and any modes: scopes required of the project alone. */
  projectScopes?: readonly string[]
  /**
   * Combined mode: `scopes` are required of the user and of the project separately unless this explicit
   * opt-in pools them (a scope held by either counts).
   */
  mergeScopes?: boolean
  /** Allow rules for this route, replacing the configured `allow` (users, domains, patterns, claims). */
  allow?: AllowRulesConfigInput
  /**
   * Which project credentials count (default all): `credentials` (app id + secret), Mercury `project`,
   * `platform` or `service` tokens. `['service']` accepts only calling services.
   */
  projectKinds?: readonly ProjectKind[]
  /** Mode `any`: which credentials count (default every configured one). `['apiKey']` makes an API-key route. */
  accept?: readonly CredentialKind[]
}

export type CredentialKind = 'jwt' | 'project' | 'apiKey'
const CREDENTIAL_KINDS: ReadonlySet<string> = new Set<CredentialKind>(['jwt', 'project', 'apiKey'])

export type ProjectKind = 'credentials' | 'project' | 'platform' | 'service'
const PROJECT_KINDS: ReadonlySet<string> = new Set<ProjectKind>([
  'credentials',
  'project',
  'platform',
  'service',
])

/** A policy resolved once (sets built, defaults applied): what the per-request path reads. */
export interface CompiledPolicy {
  readonly mode: AuthMode
  readonly scopes: readonly string[]
  readonly anyScopes: readonly string[]
  readonly optional: boolean
  readonly issuers: ReadonlySet<string> | undefined
  readonly userScopes: readonly string[]
  readonly projectScopes: readonly string[]
  readonly mergeScopes: boolean
  /** Route-level allow rules, when the policy names its own. */
  readonly allow: AllowRules | undefined
  readonly projectKinds: ReadonlySet<ProjectKind> | undefined
  readonly accept: ReadonlySet<CredentialKind> | undefined
}

const MODES: ReadonlySet<string> = new Set<AuthMode>(['jwt', 'project', 'combined', 'any'])

const compiled = new WeakSet<object>()

export function isCompiledPolicy(policy: AuthPolicy | CompiledPolicy): policy is CompiledPolicy {
  return compiled.has(policy)
}

export function compilePolicy(policy: AuthPolicy = {}): CompiledPolicy {
  const mode = policy.mode ?? 'jwt'
  if (!MODES.has(mode)) throw new TypeError(`Unknown auth mode "${String(mode)}"`)
  for (const kind of policy.accept ?? []) {
    if (!CREDENTIAL_KINDS.has(kind)) throw new TypeError(`Unknown credential kind "${String(kind)}"`)
  }
  for (const kind of policy.projectKinds ?? []) {
    if (!PROJECT_KINDS.has(kind)) throw new TypeError(`Unknown project credential kind "${String(kind)}"`)
  }
  const result: CompiledPolicy = Object.freeze({
    mode,
    scopes: Object.freeze([...(policy.scopes ?? [])]),
    anyScopes: Object.freeze([...(policy.anyScopes ?? [])]),
    optional: policy.optional ?? false,
    issuers: policy.issuers ? new Set(policy.issuers) : undefined,
    userScopes: Object.freeze([...(policy.userScopes ?? [])]),
    projectScopes: Object.freeze([...(policy.projectScopes ?? [])]),
    mergeScopes: policy.mergeScopes ?? false,
    allow: policy.allow ? compileAllowRules(policy.allow) : undefined,
    projectKinds: policy.projectKinds ? new Set(policy.projectKinds) : undefined,
    accept: policy.accept ? new Set(policy.accept) : undefined,
  })
  compiled.add(result)
  return result
}

/**
 * Throws 403 `insufficient_scope` (naming the scopes that would do) unless `granted` satisfies the policy's
 * `scopes` and `anyScopes`. Hot path.
 */
export function requireScopes(
  granted: readonly string[],
  policy: Pick<CompiledPolicy, 'scopes' | 'anyScopes'>,
): void {
  if (policy.scopes.length > 0) {
    const missing = policy.scopes.filter((scope) => !granted.includes(scope))
    if (missing.length > 0) {
      throw new AuthError('insufficient_scope', {
        scopes: policy.scopes,
        cause: because(`missing scopes: ${missing.join(' ')}`),
      })
    }
  }
  if (policy.anyScopes.length > 0 && !policy.anyScopes.some((scope) => granted.includes(scope))) {
    throw new AuthError('insufficient_scope', {
      scopes: policy.anyScopes,
      cause: because('none of the accepted scopes'),
    })
  }
}
