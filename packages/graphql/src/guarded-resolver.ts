import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql'
import type { FieldGuard } from './guard.js'
import { operationAuthOf } from './operation-auth.js'

const GUARDS = Symbol.for('@portcullis/graphql.guards')

/**
 * Wraps a resolve or subscribe function so that it runs only once `guard` passed for this operation
 * (memoized per operation). The guard is recorded on the function so the plugin can compile it up front.
 */
export function guardResolver<TSource, TContext, TArgs, TResult>(
  resolver: GraphQLFieldResolver<TSource, TContext, TArgs, TResult>,
  guard: FieldGuard,
): GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>> {
  const guarded = async (
    source: TSource,
    args: TArgs,
    context: TContext,
    info: GraphQLResolveInfo,
  ): Promise<Awaited<TResult>> => {
    await operationAuthOf(context).authenticate(guard)
    return await resolver(source, args, context, info)
  }
  Object.defineProperty(guarded, GUARDS, { value: Object.freeze([...guardsOfResolver(resolver), guard]) })
  return guarded
}

export function guardsOfResolver(resolver: unknown): readonly FieldGuard[] {
  return typeof resolver === 'function'
    ? ((resolver as { [GUARDS]?: readonly FieldGuard[] })[GUARDS] ?? [])
    : []
}
