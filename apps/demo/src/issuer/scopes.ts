/** The scopes a token gets: all the grant allows when none are asked for, else exactly those asked for. */
export function grantScopes(
  requested: string | undefined,
  allowed: readonly string[],
): { ok: true; scopes: string[] } | { ok: false; refused: string[] } {
  if (requested === undefined || requested.trim() === '') return { ok: true, scopes: [...allowed] }
  const asked = [...new Set(requested.split(/\s+/).filter(Boolean))]
  const refused = asked.filter((scope) => !allowed.includes(scope))
  return refused.length > 0 ? { ok: false, refused } : { ok: true, scopes: asked }
}
