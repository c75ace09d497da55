import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common'
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core'
import { type Auth, type AuthMode, type AuthPolicy, type CompiledPolicy, ConfigError } from '@portcullis/core'
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
  /** Whether class or handler carry `@AuthPolicy` / `@Auth` (the fields that can be wrongly configured). */
  readonly hasPolicy: boolean
  readonly policy: Omit<AuthPolicy, 'mode'>
  readonly compiled: Map<AuthMode, CompiledPolicy>
}

interface LevelMetadata {
  policy: RoutePolicy | undefined
  scopes: readonly string[]
  anyScopes: readonly string[] | undefined
  /** Whether this level states any requirement of its own. */
  declared: boolean
}

type AnyFunction = Function

/**
 * Reads each route's metadata once and compiles its policy once, shared by every guard of the application
 * (so a global guard and a route guard resolve the very same compiled policy). At start-up it compiles the
 * policy of every handler that declares one, so a policy core cannot serve fails the boot, not a request.
 *
 * The work is done here, in a class without decorators; `RoutePolicies` below only adds Nest's injection.
 * esbuild compiles the `#private` members of a decorated class into `WeakMap` and `WeakSet` lookups, a
 * handful per request on this hot path; those of an undecorated class stay native.
 */
class RoutePolicyTable implements OnApplicationBootstrap {
  readonly #routes = new WeakMap<AnyFunction, WeakMap<object, RouteEntry>>()

  constructor(
    private readonly auth: Auth,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * Compiles the policy of every controller and provider (resolver) method with `@AuthPolicy`/`@Auth` on it or
   * its class, in the mode it names (`jwt` if none). Runs after the guards' own `onModuleInit` check.
   */
  onApplicationBootstrap(): void {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()]
    const seen = new Set<AnyFunction>()
    for (const wrapper of wrappers) {
      const classRef = wrapper.metatype
      if (typeof classRef !== 'function' || seen.has(classRef)) continue
      seen.add(classRef)
      const prototype = classRef.prototype as Record<string, unknown> | undefined
      if (prototype === undefined) continue
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name]
        if (typeof handler !== 'function') continue
        const entry = this.#entry(classRef, handler)
        if (entry.isPublic || !entry.hasPolicy) continue
        try {
          this.#compile(entry, entry.declaredMode ?? 'jwt')
        } catch (error) {
          throw atRoute(error, `${classRef.name}.${name}`)
        }
      }
    }
  }

  /** The compiled policy for this handler of this class, or `PUBLIC_ROUTE`. Hot path: two WeakMap lookups. */
  resolve(classRef: object, handler: AnyFunction, guardMode: AuthMode): CompiledPolicy | typeof PUBLIC_ROUTE {
    const entry = this.#entry(classRef, handler)
    if (entry.isPublic) return PUBLIC_ROUTE
    return (
      entry.compiled.get(entry.declaredMode ?? guardMode) ??
      this.#compile(entry, entry.declaredMode ?? guardMode)
    )
  }

  #entry(classRef: object, handler: AnyFunction): RouteEntry {
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
    return entry
  }

  #compile(entry: RouteEntry, mode: AuthMode): CompiledPolicy {
    const compiled = this.auth.policy({ ...entry.policy, mode })
    entry.compiled.set(mode, compiled)
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
    const own = onHandler.policy
    const inherited = onClass.policy
    // Required scopes add up (a handler cannot drop its class's); every other field: the handler's wins.
    const scopes = union(onClass.scopes, onHandler.scopes)
    const userScopes = union(inherited?.userScopes, own?.userScopes)
    const projectScopes = union(inherited?.projectScopes, own?.projectScopes)
    const anyScopes = onHandler.anyScopes ?? onClass.anyScopes
    const optional = own?.optional ?? inherited?.optional
    const issuers = own?.issuers ?? inherited?.issuers
    const mergeScopes = own?.mergeScopes ?? inherited?.mergeScopes
    const allow = own?.allow ?? inherited?.allow
    const projectKinds = own?.projectKinds ?? inherited?.projectKinds
    return {
      isPublic: isPublic === true,
      declaredMode: own?.mode ?? inherited?.mode,
      hasPolicy: own !== undefined || inherited !== undefined,
      policy: {
        scopes,
        ...(anyScopes !== undefined && { anyScopes }),
        ...(optional !== undefined && { optional }),
        ...(issuers !== undefined && { issuers }),
        ...(userScopes.length > 0 && { userScopes }),
        ...(projectScopes.length > 0 && { projectScopes }),
        ...(mergeScopes !== undefined && { mergeScopes }),
        ...(allow !== undefined && { allow }),
        ...(projectKinds !== undefined && { projectKinds }),
      },
      compiled: new Map(),
    }
  }

  /** One level's metadata (class or handler): `@AuthPolicy` fields merged with `@Scopes`/`@AnyScopes`. */
  #level(target: object): LevelMetadata {
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

/** `RoutePolicyTable` as a Nest provider: the application's `Auth`, `Reflector`, discovery and scanner injected. */
@Injectable()
export class RoutePolicies extends RoutePolicyTable {
  constructor(
    @Inject(PORTCULLIS_AUTH) auth: Auth,
    @Inject(Reflector) reflector: Reflector,
    @Inject(DiscoveryService) discovery: DiscoveryService,
    @Inject(MetadataScanner) scanner: MetadataScanner,
  ) {
    super(auth, reflector, discovery, scanner)
  }
}

function union(first: readonly string[] = [], second: readonly string[] = []): string[] {
  return [...new Set([...first, ...second])]
}

/** A policy error at boot names the handler: `ConfigError` as is, anything else (an unknown mode) as one. */
function atRoute(error: unknown, route: string): unknown {
  if (error instanceof ConfigError) return new ConfigError(error.issues, route)
  if (error instanceof TypeError) return new ConfigError([{ path: 'policy', message: error.message }], route)
  return error
}
