import { Inject, Injectable } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import type { Auth, AuthMode, AuthPolicy, CompiledPolicy } from '@portcullis/core'
import {
  ANY_SCOPES_METADATA,
  POLICY_METADATA,
  PUBLIC_METADATA,
  type RoutePolicy,
  SCOPES_METADATA,
} from './metadata.js'
import { PORTCULLIS_AUTH } from './tokens.js'

/** What `resolve` returns for a `@Public()` route. */
export const PUBLIC_ROUTE: unique symbol = Symbol('portcullis public route')

interface RouteEntry {
  readonly isPublic: boolean
  /** The mode the route's metadata names, which wins over the guard's own. */
  readonly declaredMode: AuthMode | undefined
  readonly policy: Omit<AuthPolicy, 'mode'>
  readonly compiled: Map<AuthMode, CompiledPolicy>
}

type AnyFunction = Function

/**
 * Reads each route's metadata once and compiles its policy once, shared by every guard of the application
 * (so a global guard and a route guard resolve the very same compiled policy).
 */
@Injectable()
export class RoutePolicies {
  readonly #routes = new WeakMap<AnyFunction, WeakMap<object, RouteEntry>>()

  constructor(
    @Inject(PORTCULLIS_AUTH) private readonly auth: Auth,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  /** The compiled policy for this handler of this class, or `PUBLIC_ROUTE`. Hot path: two WeakMap lookups. */
  resolve(classRef: object, handler: AnyFunction, guardMode: AuthMode): CompiledPolicy | typeof PUBLIC_ROUTE {
    let byClass = this.#routes.get(handler)
    if (byClass === undefined) {
      byClass = new WeakMap()
      this.#routes.set(handler, byClass)
    }
    let entry = byClass.get(classRef)
    if (entry === undefined) {
      entry = this.#read(classRef, handler)
      byClass.set(classRef, entry)
    }
    if (entry.isPublic) return PUBLIC_ROUTE
    const mode = entry.declaredMode ?? guardMode
    let compiled = entry.compiled.get(mode)
    if (compiled === undefined) {
      compiled = this.auth.policy({ ...entry.policy, mode })
      entry.compiled.set(mode, compiled)
    }
    return compiled
  }

  #read(classRef: object, handler: AnyFunction): RouteEntry {
    const onClass = this.#level(classRef)
    const onHandler = this.#level(handler)
    // A handler's own @Public() wins; so do its own requirements over a @Public() class.
    const isPublic =
      this.reflector.get<boolean | undefined>(PUBLIC_METADATA, handler) ??
      (onHandler.declared
        ? undefined
        : this.reflector.get<boolean | undefined>(PUBLIC_METADATA, classRef as AnyFunction))
    const scopes = [...new Set([...onClass.scopes, ...onHandler.scopes])]
    const anyScopes = onHandler.anyScopes ?? onClass.anyScopes
    const optional = onHandler.policy?.optional ?? onClass.policy?.optional
    const issuers = onHandler.policy?.issuers ?? onClass.policy?.issuers
    return {
      isPublic: isPublic === true,
      declaredMode: onHandler.policy?.mode ?? onClass.policy?.mode,
      policy: {
        scopes,
        ...(anyScopes !== undefined && { anyScopes }),
        ...(optional !== undefined && { optional }),
        ...(issuers !== undefined && { issuers }),
      },
      compiled: new Map(),
    }
  }

  /** One level's metadata (class or handler): `@AuthPolicy` fields merged with `@Scopes`/`@AnyScopes`. */
  #level(target: object): {
    policy: RoutePolicy | undefined
    scopes: readonly string[]
    anyScopes: readonly string[] | undefined
    /** Whether this level states any requirement of its own. */
    declared: boolean
  } {
    const reflect = <T>(key: string) => this.reflector.get<T | undefined>(key, target as AnyFunction)
    const policy = reflect<RoutePolicy>(POLICY_METADATA)
    const scopes = reflect<readonly string[]>(SCOPES_METADATA)
    const anyScopes = reflect<readonly string[]>(ANY_SCOPES_METADATA)
    return {
      policy,
      scopes: [...(policy?.scopes ?? []), ...(scopes ?? [])],
      anyScopes:
        policy?.anyScopes || anyScopes ? [...(policy?.anyScopes ?? []), ...(anyScopes ?? [])] : undefined,
      declared: policy !== undefined || scopes !== undefined || anyScopes !== undefined,
    }
  }
}
