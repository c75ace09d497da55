import { createHash, randomBytes } from 'node:crypto'

/** RFC 7636 with S256: a 43-character verifier (256 random bits) and its SHA-256 challenge. */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') }
}

/** An unguessable `state`, checked on the redirect to refuse callbacks this sign-in did not start. */
export function createState(): string {
  return randomBytes(24).toString('base64url')
}
