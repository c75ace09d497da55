import type { AuthPolicy } from '@portcullis/core'
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql'
import type { AuthenticatedContext, PortcullisContext, ProjectOfKinds } from './context.js'
import { createFieldGuard } from './guard.js'
import { guardResolverAsPromise } from './guarded-resolver.js'
import { type AuthName, policyOfName } from './policy-names.js'

/** A wrapper's policy; the mode comes from the wrapper's name. */
export type ResolverPolicy = Omit<AuthPolicy, 'mode'>

/** What `requiresServiceAuth` takes: the project kinds are fixed to service tokens. */
export type ServicePolicy = Omit<ResolverPolicy, 'projectKinds'>

/** What the wrapped resolver's context is known to hold once the guard passed. */
export type GuardedContext<Name extends AuthName, Policy> = Policy extends { optional: true }
  ? PortcullisContext
  : AuthenticatedContext<Name> & ProjectOfKinds<Policy>

type GuardedResolver<TSource, TContext, TArgs, TResult, Name extends AuthName, Policy> = (
  source: TSource,
  args: TArgs,
  context: TContext & GuardedContext<Name, Policy>,
  info: GraphQLResolveInfo,
) => TResult

type ResolverWrapper<Name extends AuthName, Accepted extends ResolverPolicy = ResolverPolicy> = <
  TSource,
  TContext,
  TArgs,
  TResult,
  const Policy extends Accepted = Accepted,
>(
  resolver: GuardedResolver<TSource, TContext, TArgs, TResult, Name, Policy>,
  policy?: Policy,
) => GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>>

function requires<Name extends AuthName, Accepted extends ResolverPolicy>(
  name: Name,
): ResolverWrapper<Name, Accepted> {
  return (resolver, policy) => {
    // The guard is built here, once per wrapped resolver; the plugin compiles it when the schema is set.
    const guard = createFieldGuard({ ...policy, ...policyOfName(name) })
    // Their type promises a promise, which callers may chain on: kept, unlike directives and Pothos fields.
    return guardResolverAsPromise(
      resolver as GraphQLFieldResolver<unknown, unknown, unknown, unknown>,
      guard,
    ) as never
  }
}

/**
 * Code-first protection without Pothos: the wrapped resolver (or `subscribe`) runs only once a valid
 * bearer token (and the policy's scopes) was presented; its context then has `user` and `claims`.
 * Needs `usePortcullis(auth)` on the server.
 */
export const requiresJwtAuth: ResolverWrapper<'jwt'> = requires('jwt')
/**
 * Like `requiresJwtAuth`, for project credentials (`x-app-id` + `x-app-secret`, or a Mercury token in
 * `x-project-token`); the context then has `project`.
 */
export const requiresProjectAuth: ResolverWrapper<'project'> = requires('project')
/** Like `requiresJwtAuth`, requiring both a bearer token and project credentials for the same project. */
export const requiresCombinedAuth: ResolverWrapper<'combined'> = requires('combined')
/** Like `requiresJwtAuth`, accepting whichever credential the request carries (both are checked when both are sent). */
export const requiresAnyAuth: ResolverWrapper<'any'> = requires('any')
/**
 * Like `requiresProjectAuth`, accepting Mercury service tokens only (another service calling); the
 * context's `project` is then the calling service (`tokenType: 'service'`, `clientId`, `serviceName`).
 */
export const requiresServiceAuth: ResolverWrapper<'service', ServicePolicy> = requires('service')
