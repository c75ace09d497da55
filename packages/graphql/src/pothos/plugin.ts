import { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core'
import type { GraphQLFieldResolver } from 'graphql'
import { type DeclaredPolicy, declare, effectivePolicy } from '../declared-policy.js'
import { createFieldGuard, type FieldGuard, GUARD_EXTENSION, isFieldGuard } from '../guard.js'
import { guardResolver } from '../guarded-resolver.js'
import { policyOfName } from '../policy-names.js'
import type { PortcullisPothosOptions } from './types.js'

type Resolver<Types extends SchemaTypes> = GraphQLFieldResolver<unknown, Types['Context'], object>

/**
 * Reads `auth` and `scopes` on fields and object types, records the field's guard in its extensions
 * (where `usePortcullis` finds and compiles it when the server starts) and wraps `resolve` and
 * `subscribe` so they run only once the guard passed for the operation.
 */
export class PortcullisPothosPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType)
    const where = `${fieldConfig.parentType}.${fieldConfig.name}`
    const policy = effectivePolicy(
      declaredPolicy(typeConfig.pothosOptions as PortcullisPothosOptions),
      declaredPolicy(fieldConfig.pothosOptions as PortcullisPothosOptions),
      where,
    )
    if (!policy) return fieldConfig
    return {
      ...fieldConfig,
      extensions: { ...fieldConfig.extensions, [GUARD_EXTENSION]: createFieldGuard(policy) },
    }
  }

  override wrapResolve(
    resolver: Resolver<Types>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): Resolver<Types> {
    const guard = guardOf(fieldConfig)
    return guard ? guardResolver(resolver, guard) : resolver
  }

  override wrapSubscribe(
    subscribe: Resolver<Types> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): Resolver<Types> | undefined {
    const guard = guardOf(fieldConfig)
    return guard && subscribe ? guardResolver(subscribe, guard) : subscribe
  }
}

function guardOf(fieldConfig: {
  extensions?: Readonly<Record<string, unknown>> | null
}): FieldGuard | undefined {
  const guard = fieldConfig.extensions?.[GUARD_EXTENSION]
  return isFieldGuard(guard) ? guard : undefined
}

function declaredPolicy(options: PortcullisPothosOptions | undefined): DeclaredPolicy | undefined {
  const auth = options?.auth
  const scopes = options?.scopes ?? []
  if (auth === undefined && scopes.length === 0) return undefined
  if (auth === undefined) return { scopes, anyScopes: [], userScopes: [], projectScopes: [] }
  return declare(typeof auth === 'string' ? policyOfName(auth) : auth, scopes)
}
