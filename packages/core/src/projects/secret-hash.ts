import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The only form in which an app secret is stored, cached, compared or used in a key: lowercase hex
 * HMAC-SHA256 of the secret, keyed with `SIGNATURE_SHARED_SECRET`. Operators use it to write the `secretHash` of
 * static or Redis project records.
 */
export function hashProjectSecret(secret: string, signingSecret: string): string {
  return createHmac('sha256', signingSecret).update(secret, 'utf8').digest('hex')
}

/**
 * Compares two secret HMACs (hex) in constant time. Inputs of different lengths (a malformed stored value)
 * are compared against themselves first so the time taken does not depend on where they differ, and
 * answer false without throwing.
 */
export function secretHashesEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  if (a.length !== b.length) {
    timingSafeEqual(a, a)
    return false
  }
  return timingSafeEqual(a, b)
}
