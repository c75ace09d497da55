import { applyDecorators, type CanActivate, type Type, UseGuards } from '@nestjs/common'
import type { AuthMode } from '@portcullis/core'
import { AnyAuthGuard, CombinedAuthGuard, JwtAuthGuard, ProjectAuthGuard } from './guards/mode-guards.js'
import { AuthPolicy, type RoutePolicy } from './metadata.js'

const GUARDS: Readonly<Record<AuthMode, Type<CanActivate>>> = {
  jwt: JwtAuthGuard,
  project: ProjectAuthGuard,
  combined: CombinedAuthGuard,
  any: AnyAuthGuard,
}

/**
 * Guard and policy in one line: `@Auth('jwt', { scopes: ['orders:read'] })` is
 * `@UseGuards(JwtAuthGuard)` plus `@AuthPolicy({ mode: 'jwt', scopes: ['orders:read'] })`.
 */
export function Auth(
  mode: AuthMode = 'jwt',
  policy: Omit<RoutePolicy, 'mode'> = {},
): MethodDecorator & ClassDecorator {
  const guard = GUARDS[mode]
  if (guard === undefined) throw new TypeError(`@Auth: unknown mode "${String(mode)}"`)
  return applyDecorators(AuthPolicy({ ...policy, mode }), UseGuards(guard))
}
