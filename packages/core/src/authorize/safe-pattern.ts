import safeRegex from 'safe-regex2'

/** Longest pattern accepted, and longest input it is ever run on (an email address is at most 254). */
const MAX_PATTERN_LENGTH = 512
export const MAX_MATCHED_LENGTH = 320

/**
 * Why a pattern cannot be used, or undefined when it can: it must compile, stay short, and pass safe-regex2's
 * star-height check (no nested quantifiers such as `(a+)+`, the shape behind catastrophic backtracking).
 */
export function unsafePatternReason(source: string): string | undefined {
  if (source.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`
  try {
    new RegExp(source)
  } catch (error) {
    return `does not compile: ${(error as Error).message}`
  }
  if (!safeRegex(source)) return 'may backtrack catastrophically (nested quantifiers); rewrite it'
  return undefined
}

/**
 * Compiles a pattern that must match a whole value (it is anchored: `corp\.com` does not match
 * `corp.com.evil.org`), case-insensitively. Throws `TypeError` for an unsafe pattern.
 */
export function compileSafePattern(source: string): RegExp {
  const reason = unsafePatternReason(source)
  if (reason) throw new TypeError(`pattern ${JSON.stringify(source)} ${reason}`)
  return new RegExp(`^(?:${source})$`, 'i')
}

/** Runs an anchored pattern on a bounded input: longer values never match. */
export function matchesSafePattern(pattern: RegExp, value: string): boolean {
  return value.length <= MAX_MATCHED_LENGTH && pattern.test(value)
}
