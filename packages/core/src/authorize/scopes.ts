/**
 * Scopes a token grants, from every claim IdPs use: `scope` (space-separated, RFC 8693/9068),
 * `scp` (array, or a space-separated string as Entra sends), `scopes` (array), and Mercury/Auth0
 * `permissions` (array of `service:resource:action` names).
 */
export function readScopes(claims: Readonly<Record<string, unknown>>): string[] {
  const scopes = new Set<string>()
  addScopes(scopes, claims.scope)
  addScopes(scopes, claims.scp)
  addScopes(scopes, claims.scopes)
  addScopes(scopes, claims.permissions)
  return [...scopes]
}

function addScopes(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') {
    for (const scope of value.split(' ')) if (scope) into.add(scope)
  } else if (Array.isArray(value)) {
    for (const scope of value) if (typeof scope === 'string' && scope) into.add(scope)
  }
}
