import { z } from 'zod'
import { ConfigError } from '../config/errors.js'
import { AuthError, because } from '../errors.js'
import type { Claims, User } from '../presets/types.js'
import { type ClaimTest, claimMatcherSchema, compileClaimMatcher } from './claim-matchers.js'
import { canonicalUserId, emailDomain, normalizeDomain } from './email-identity.js'
import { compileSafePattern, matchesSafePattern, unsafePatternReason } from './safe-pattern.js'

/** A custom rule, code-only: true grants (together with the other rules of its set). */
export type AllowPredicate = (user: User, claims: Claims) => boolean

const nonEmpty = z.string().min(1)

const ruleSetShape = z.object({
  allowedUsers: z.array(nonEmpty).default([]),
  allowedDomains: z.array(nonEmpty).default([]),
  allowedUserRegex: z
    .union([nonEmpty, z.array(nonEmpty)])
    .transform((value) => (typeof value === 'string' ? [value] : value))
    .default([]),
  allowSubdomains: z.boolean().default(false),
  requireVerifiedEmail: z.boolean().default(true),
  claims: z.array(claimMatcherSchema).default([]),
  claimsMatch: z.enum(['all', 'any']).default('all'),
  predicate: z
    .custom<AllowPredicate>((value) => typeof value === 'function', 'must be a function')
    .optional(),
})

type RuleSet = z.output<typeof ruleSetShape>

function refineRuleSet(rules: RuleSet, ctx: z.RefinementCtx): void {
  rules.allowedDomains.forEach((domain, index) => {
    if (normalizeDomain(domain) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['allowedDomains', index], message: 'not a valid domain name' })
    }
  })
  rules.allowedUsers.forEach((user, index) => {
    if (canonicalUserId(user) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['allowedUsers', index], message: 'not a usable user id' })
    }
  })
  rules.allowedUserRegex.forEach((pattern, index) => {
    const reason = unsafePatternReason(pattern)
    if (reason)
      ctx.addIssue({ code: 'custom', path: ['allowedUserRegex', index], message: `pattern ${reason}` })
  })
}

/**
 * Who may pass, matched on the canonical id (`User.id`):
 * - `allowedUsers`: exact ids, case-insensitive (email domains compared in IDNA ASCII form);
 * - `allowedDomains`: the exact domain of an email-like id (exactly one `@`): `example.com` never matches
 *   `example.com.evil.org` or `evil-example.com`; subdomains (`a.example.com`) only with `allowSubdomains`;
 *   case, one trailing dot and Unicode forms are normalized (`node:url` `domainToASCII`), so look-alike
 *   letters from other scripts do not match;
 * - `allowedUserRegex`: patterns matching the whole id, case-insensitively, refused at start-up when they
 *   could backtrack catastrophically.
 * Any of these matching grants; all empty means any authenticated user. Besides, every claim matcher must
 * hold (`claimsMatch: 'any'`: at least one), and the `predicate` must return true.
 * Ids whose email is explicitly unverified (`User.emailVerified === false`) never match user, domain or
 * pattern rules while `requireVerifiedEmail` is on (default).
 */
export const allowRuleSetSchema = ruleSetShape.strict().superRefine(refineRuleSet)

/**
 * Global rules plus per-issuer rule sets (keyed by exact `iss`). A user whose issuer has its own set is
 * judged by that set alone (the most specific rules win); others by the global set. A route's override is
 * another `compileAllowRules` result passed to `checkAllowed` instead of the configured one.
 */
export const allowRulesConfigSchema = ruleSetShape
  .extend({ issuers: z.record(z.string().min(1), allowRuleSetSchema).default({}) })
  .strict()
  .superRefine(refineRuleSet)

export type AllowRuleSetInput = z.input<typeof allowRuleSetSchema>
export type AllowRulesConfigInput = z.input<typeof allowRulesConfigSchema>
export type AllowRulesConfig = z.output<typeof allowRulesConfigSchema>

interface CompiledRuleSet {
  readonly users: ReadonlySet<string>
  readonly domains: ReadonlySet<string>
  readonly patterns: readonly RegExp[]
  readonly allowSubdomains: boolean
  readonly requireVerifiedEmail: boolean
  readonly claimTests: readonly ClaimTest[]
  readonly claimsMatch: 'all' | 'any'
  readonly predicate: AllowPredicate | undefined
  /** No identity rule: any authenticated user passes that stage. */
  readonly anyIdentity: boolean
}

/** Allow rules resolved once at start-up: what the per-request `checkAllowed` reads. */
export interface AllowRules {
  readonly global: CompiledRuleSet
  readonly issuers: ReadonlyMap<string, CompiledRuleSet>
  /** True when no rule restricts anything (callers may skip the check). */
  readonly empty: boolean
}

const compiledRules = new WeakSet<object>()

/** Validates and compiles allow rules; a bad rule throws `ConfigError` naming it. */
export function compileAllowRules(config: AllowRulesConfigInput | AllowRulesConfig = {}): AllowRules {
  const parsed = allowRulesConfigSchema.safeParse(config)
  if (!parsed.success) throw ConfigError.fromZod(parsed.error)
  const { issuers, ...global } = parsed.data
  const compiledGlobal = compileRuleSet(global)
  const compiledIssuers = new Map(Object.entries(issuers).map(([iss, rules]) => [iss, compileRuleSet(rules)]))
  const rules: AllowRules = Object.freeze({
    global: compiledGlobal,
    issuers: compiledIssuers,
    empty: isUnrestricted(compiledGlobal) && [...compiledIssuers.values()].every(isUnrestricted),
  })
  compiledRules.add(rules)
  return rules
}

/**
 * Throws 403 `access_denied` unless the user passes the rules that apply to their issuer. The error says
 * nothing about the rules; its `cause` (for logs) says which stage failed. Hot path.
 */
export function checkAllowed(user: User, rules: AllowRules, claims: Claims = {}): void {
  if (!compiledRules.has(rules)) throw new TypeError('checkAllowed needs rules from compileAllowRules')
  const set = rules.issuers.get(user.issuer) ?? rules.global
  if (!identityAllowed(user, set)) throw denied('no allowed user, domain or pattern matches')
  if (set.claimTests.length > 0) {
    const pass =
      set.claimsMatch === 'all'
        ? set.claimTests.every((test) => test(claims))
        : set.claimTests.some((test) => test(claims))
    if (!pass) throw denied('claim matchers do not hold')
  }
  if (set.predicate && set.predicate(user, claims) !== true) throw denied('the custom predicate refused')
}

function identityAllowed(user: User, set: CompiledRuleSet): boolean {
  if (set.anyIdentity) return true
  if (set.requireVerifiedEmail && user.emailVerified === false) return false
  const id = user.id
  if (set.users.size > 0) {
    const canonical = canonicalUserId(id)
    if (canonical !== undefined && set.users.has(canonical)) return true
  }
  if (set.domains.size > 0) {
    const domain = emailDomain(id)
    if (domain !== undefined && domainAllowed(domain, set)) return true
  }
  // Patterns see the id only if it has at most one '@' (ids with several are never email rules' business).
  if (set.patterns.length > 0 && id.indexOf('@') === id.lastIndexOf('@')) {
    for (const pattern of set.patterns) if (matchesSafePattern(pattern, id)) return true
  }
  return false
}

function domainAllowed(domain: string, set: CompiledRuleSet): boolean {
  if (set.domains.has(domain)) return true
  if (!set.allowSubdomains) return false
  for (let dot = domain.indexOf('.'); dot !== -1; dot = domain.indexOf('.', dot + 1)) {
    if (set.domains.has(domain.slice(dot + 1))) return true
  }
  return false
}

function compileRuleSet(rules: RuleSet): CompiledRuleSet {
  const users = new Set(rules.allowedUsers.map((user) => canonicalUserId(user) as string))
  const domains = new Set(rules.allowedDomains.map((domain) => normalizeDomain(domain) as string))
  const patterns = rules.allowedUserRegex.map(compileSafePattern)
  return Object.freeze({
    users,
    domains,
    patterns,
    allowSubdomains: rules.allowSubdomains,
    requireVerifiedEmail: rules.requireVerifiedEmail,
    claimTests: rules.claims.map(compileClaimMatcher),
    claimsMatch: rules.claimsMatch,
    predicate: rules.predicate,
    anyIdentity: users.size === 0 && domains.size === 0 && patterns.length === 0,
  })
}

function isUnrestricted(set: CompiledRuleSet): boolean {
  return set.anyIdentity && set.claimTests.length === 0 && set.predicate === undefined
}

function denied(reason: string): AuthError {
  return new AuthError('access_denied', { cause: because(reason) })
}
