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
  // A function, not an arrow: a resolver bound to its type's resolver object keeps that `this`.
  async function guarded(
    this: unknown,
    source: TSource,
    args: TArgs,
    context: TContext,
    info: GraphQLResolveInfo,
  ): Promise<Awaited<TResult>> {
    await operationAuthOf(context).authenticate(guard)
    return await resolver.call(this, source, args, context, info)
  }
  recordGuards(guarded, Object.freeze([...guardsOfResolver(resolver), guard]))
  return guarded
}

/**
 * Records the guards on the function, and on any function bound from it: graphql-tools attaches
 * resolvers with `fn.bind(typeResolvers)`, which would drop them, and usePortcullis looks for them
 * when the schema is set to compile every policy before the first request.
 */
function recordGuards(fn: object, guards: readonly FieldGuard[]): void {
  Object.defineProperty(fn, GUARDS, { value: guards })
  Object.defineProperty(fn, 'bind', {
    configurable: true,
    writable: true,
    value: function bind(this: (...args: unknown[]) => unknown, thisArg: unknown, ...args: unknown[]) {
      const bound = Function.prototype.bind.call(this, thisArg, ...args)
      recordGuards(bound, guards)
      return bound
    },
  })
}

export function guardsOfResolver(resolver: unknown): readonly FieldGuard[] {
  return typeof resolver === 'function'
    ? ((resolver as { [GUARDS]?: readonly FieldGuard[] })[GUARDS] ?? [])
    : []
}
