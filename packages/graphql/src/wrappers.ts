import type { AuthMode, AuthPolicy } from '@portcullis/core'
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql'
import type { AuthenticatedContext, PortcullisContext } from './context.js'
import { createFieldGuard } from './guard.js'
import { guardResolver } from './guarded-resolver.js'

/** A wrapper's policy; the mode comes from the wrapper's name. */
export type ResolverPolicy = Omit<AuthPolicy, 'mode'>

/** What the wrapped resolver's context is known to hold once the guard passed. */
export type GuardedContext<Mode extends AuthMode, Policy> = Policy extends { optional: true }
  ? PortcullisContext
  : AuthenticatedContext<Mode>

type GuardedResolver<TSource, TContext, TArgs, TResult, Mode extends AuthMode, Policy> = (
  source: TSource,
  args: TArgs,
  context: TContext & GuardedContext<Mode, Policy>,
  info: GraphQLResolveInfo,
) => TResult

type ResolverWrapper<Mode extends AuthMode> = <
  TSource,
  TContext,
  TArgs,
  TResult,
  const Policy extends ResolverPolicy = {},
>(
  resolver: GuardedResolver<TSource, TContext, TArgs, TResult, Mode, Policy>,
  policy?: Policy,
) => GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>>

function requires<Mode extends AuthMode>(mode: Mode): ResolverWrapper<Mode> {
  return (resolver, policy) => {
    // The guard is built here, once per wrapped resolver; the plugin compiles it when the schema is set.
    const guard = createFieldGuard({ ...policy, mode })
    return guardResolver(resolver as GraphQLFieldResolver<unknown, unknown, unknown, unknown>, guard) as never
  }
}

/**
 * Code-first protection without Pothos: the wrapped resolver (or `subscribe`) runs only once a valid
 * bearer token (and the policy's scopes) was presented; its context then has `user` and `claims`.
 * Needs `usePortcullis(auth)` on the server.
 */
export const requiresJwtAuth: ResolverWrapper<'jwt'> = requires('jwt')
/** Like `requiresJwtAuth`, for project credentials (app id + secret, or a Mercury project token). */
export const requiresProjectAuth: ResolverWrapper<'project'> = requires('project')
/** Like `requiresJwtAuth`, requiring both a bearer token and project credentials. */
export const requiresCombinedAuth: ResolverWrapper<'combined'> = requires('combined')
/** Like `requiresJwtAuth`, accepting whichever credential the request carries. */
export const requiresAnyAuth: ResolverWrapper<'any'> = requires('any')
