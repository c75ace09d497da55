/** Merges defaults with overrides, where an override set to `undefined` removes that member. */
export function mergeDroppingUndefined(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults, ...overrides }
  for (const [name, value] of Object.entries(merged)) {
    if (value === undefined) delete merged[name]
  }
  return merged
}
