import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql'
import type { FieldGuard } from './guard.js'
import { operationAuthOf } from './operation-auth.js'

const GUARDS = Symbol.for('@portcullis/graphql.guards')

/**
 * Wraps a resolve or subscribe function so that it runs only once `guard` passed for this operation
 * (memoized per operation). The guard is recorded on the function so the plugin can compile it up front.
 * When the guard passes with nothing to await (an identity already authenticated, an L1 cache hit) the
 * resolver runs at once and its value is returned as it is, so graphql-js stays synchronous for a field
 * that is; a refusal is then thrown, which graphql-js turns into the same field error as a rejection.
 */
export function guardResolver<TSource, TContext, TArgs, TResult>(
  resolver: GraphQLFieldResolver<TSource, TContext, TArgs, TResult>,
  guard: FieldGuard,
): GraphQLFieldResolver<TSource, TContext, TArgs, TResult | Promise<Awaited<TResult>>> {
  // A function, not an arrow: a resolver bound to its type's resolver object keeps that `this`. Hot path.
  function guarded(
    this: unknown,
    source: TSource,
    args: TArgs,
    context: TContext,
    info: GraphQLResolveInfo,
  ): TResult | Promise<Awaited<TResult>> {
    const passed = operationAuthOf(context).authenticateNow(guard)
    if (passed instanceof Promise) {
      return passed.then(() => resolver.call(this, source, args, context, info)) as Promise<Awaited<TResult>>
    }
    return resolver.call(this, source, args, context, info)
  }
  recordGuards(guarded, Object.freeze([...guardsOfResolver(resolver), guard]))
  return guarded
}

/**
 * `guardResolver` for the public resolver wrappers, whose type says they return a promise (so a caller
 * may chain on it): the same checks, with the outcome always a promise but no promise or tick more.
 */
export function guardResolverAsPromise<TSource, TContext, TArgs, TResult>(
  resolver: GraphQLFieldResolver<TSource, TContext, TArgs, TResult>,
  guard: FieldGuard,
): GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>> {
  const guarded = guardResolver(resolver, guard)
  function promised(
    this: unknown,
    source: TSource,
    args: TArgs,
    context: TContext,
    info: GraphQLResolveInfo,
  ): Promise<Awaited<TResult>> {
    try {
      return Promise.resolve(guarded.call(this, source, args, context, info))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  recordGuards(promised, guardsOfResolver(guarded))
  return promised
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
