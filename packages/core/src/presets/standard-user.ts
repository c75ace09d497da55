import type { Claims, User } from './types.js'

/** The OIDC standard mapping most providers share. Returns a reason string when `sub` is unusable. */
export function standardUser(claims: Claims, issuer: string, scopes: readonly string[]): User | string {
  const subject = claims.sub
  if (typeof subject !== 'string' || subject.length === 0) return 'sub must be a non-empty string'
  const email = stringClaim(claims, 'email')
  const preferred = stringClaim(claims, 'preferred_username')
  const upn = stringClaim(claims, 'upn')
  const user: User = { id: email ?? preferred ?? upn ?? subject, subject, issuer, scopes }
  if (email !== undefined) user.email = email
  if (typeof claims.email_verified === 'boolean') user.emailVerified = claims.email_verified
  const name = stringClaim(claims, 'name')
  if (name !== undefined) user.name = name
  return user
}

export function stringClaim(claims: Claims, name: string): string | undefined {
  const value = claims[name]
  return typeof value === 'string' && value.length > 0 ? value : undefined
}
