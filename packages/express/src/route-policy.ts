import type { AuthPolicy } from '@portcullis/core'

/** What `@Public()` records: no authentication at all. */
export const PUBLIC = Symbol('portcullis.public')

/** What the decorators on one method, or on one class, asked for. */
export interface DecoratorSettings {
  /** From `@JwtAuth`/`@ProjectAuth`/`@CombinedAuth`/`@AnyAuth` (a policy) or `@Public` (PUBLIC). */
  mode: AuthPolicy | typeof PUBLIC | undefined
  /** From `@Scopes`, accumulated: every one is required. */
  scopes: string[]
}

export function emptySettings(): DecoratorSettings {
  return { mode: undefined, scopes: [] }
}

/** Records a mode decorator; two on the same target contradict each other, so the second one throws. */
export function setMode(settings: DecoratorSettings, mode: AuthPolicy | typeof PUBLIC, where: string): void {
  if (settings.mode !== undefined) {
    throw new TypeError(
      `${where}: only one of @JwtAuth, @ProjectAuth, @CombinedAuth, @AnyAuth, @Public applies`,
    )
  }
  settings.mode = mode
  assertConsistent(settings, where)
}

export function addScopes(settings: DecoratorSettings, scopes: readonly string[], where: string): void {
  settings.scopes.push(...scopes)
  assertConsistent(settings, where)
}

function assertConsistent(settings: DecoratorSettings, where: string): void {
  if (settings.mode === PUBLIC && settings.scopes.length > 0) {
    throw new TypeError(`${where}: @Public and @Scopes contradict each other`)
  }
}

/**
 * True when neither the method nor its class names a mode (`@JwtAuth`, `@ProjectAuth`, ...): the method asks
 * only for scopes, like `requireScopes(...)`, so it checks them against what an earlier guard on the request
 * established, if any, rather than demanding a bearer token of its own.
 */
export function asksOnlyForScopes(method: DecoratorSettings, klass: DecoratorSettings | undefined): boolean {
  const mode = method.mode ?? klass?.mode
  return mode === undefined || mode === PUBLIC
}

/**
 * The policy a method runs under, or undefined when it is public. The method's mode decorator replaces the
 * class's; `@Scopes` add up (mode policy, then class, then method: all required); a method that asks for
 * nothing inherits the class default, and `@Scopes` alone means a bearer token (`jwt`) with those scopes
 * (unless an earlier guard already authenticated the request: see `asksOnlyForScopes`).
 */
export function effectivePolicy(
  method: DecoratorSettings,
  klass: DecoratorSettings | undefined,
): AuthPolicy | undefined {
  const mode = method.mode ?? klass?.mode
  if (mode === PUBLIC && method.scopes.length === 0) return undefined
  const base = mode === PUBLIC ? undefined : mode
  const scopes = [...(base?.scopes ?? []), ...(klass?.scopes ?? []), ...method.scopes]
  if (base === undefined && scopes.length === 0) return undefined
  return { ...base, scopes }
}
