import { z } from 'zod'
import type { Claims } from '../presets/types.js'
import { compileSafePattern, matchesSafePattern, unsafePatternReason } from './safe-pattern.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])

/**
 * One condition on a token claim: exactly one of `equals` (the claim is this value), `contains` (the claim
 * is an array holding it, or a space-separated string with it as a word), `in` (the claim is one of these,
 * or an array sharing one), `matches` (a string claim matching a whole, safe pattern). `claim` may be a
 * dotted path (`realm_access.roles`).
 */
export const claimMatcherSchema = z
  .object({
    claim: z.string().min(1),
    equals: scalar.optional(),
    contains: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    matches: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((matcher, ctx) => {
    const operators = ['equals', 'contains', 'in', 'matches'].filter(
      (name) => matcher[name as keyof typeof matcher] !== undefined,
    )
    if (operators.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of equals, contains, in, matches' })
    }
    if (matcher.matches !== undefined) {
      const reason = unsafePatternReason(matcher.matches)
      if (reason) ctx.addIssue({ code: 'custom', path: ['matches'], message: `pattern ${reason}` })
    }
    if (matcher.claim.split('.').some((part) => part === '' || FORBIDDEN_SEGMENTS.has(part))) {
      ctx.addIssue({ code: 'custom', path: ['claim'], message: 'not a usable claim path' })
    }
  })

export type ClaimMatcher = z.output<typeof claimMatcherSchema>
export type ClaimTest = (claims: Claims) => boolean

const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor'])

/** Compiles a validated matcher once into the per-request test. */
export function compileClaimMatcher(matcher: ClaimMatcher): ClaimTest {
  const path = matcher.claim.split('.')
  const read = (claims: Claims) => readClaim(claims, path)
  if (matcher.equals !== undefined) {
    const expected = matcher.equals
    return (claims) => read(claims) === expected
  }
  if (matcher.contains !== undefined) {
    const expected = matcher.contains
    return (claims) => {
      const value = read(claims)
      if (Array.isArray(value)) return value.includes(expected)
      return typeof value === 'string' && typeof expected === 'string' && value.split(' ').includes(expected)
    }
  }
  if (matcher.in !== undefined) {
    const accepted = new Set<unknown>(matcher.in)
    return (claims) => {
      const value = read(claims)
      return Array.isArray(value) ? value.some((item) => accepted.has(item)) : accepted.has(value)
    }
  }
  const pattern = compileSafePattern(matcher.matches as string)
  return (claims) => {
    const value = read(claims)
    return typeof value === 'string' && matchesSafePattern(pattern, value)
  }
}

/** Own properties only, so a path never walks into the prototype chain. */
function readClaim(claims: Claims, path: readonly string[]): unknown {
  let node: unknown = claims
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}
