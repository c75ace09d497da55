import { MapperKind, mapSchema } from '@graphql-tools/utils'
import { type AuthPolicy, ConfigError } from '@portcullis/core'
import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql'
import { type DeclaredPolicy, effectivePolicy } from '../declared-policy.js'
import { createFieldGuard, GUARD_EXTENSION } from '../guard.js'
import { guardResolver } from '../guarded-resolver.js'
import { readDeclaredPolicy } from './read-directives.js'

/**
 * Applies `@jwtAuth`, `@projectAuth`, `@combinedAuth`, `@anyAuth`, `@serviceAuth` and `@scopes` (on
 * fields and object types) by wrapping the resolvers of the fields they protect; returns a new schema.
 * Policies are normalised here, once; `usePortcullis(auth)` compiles them when the server is built.
 *
 * A field's auth directive replaces its type's (mode, `optional`, `mergeScopes`); scopes add up (the
 * type's and the field's are all required). Throws `ConfigError` for two auth directives on one field
 * or type, `@scopes(any:)` on both a type and its field, or a directive on an interface field.
 */
export function applyPortcullisDirectives(schema: GraphQLSchema): GraphQLSchema {
  const typePolicies = new Map<string, DeclaredPolicy | undefined>()
  const typePolicy = (typeName: string): DeclaredPolicy | undefined => {
    if (!typePolicies.has(typeName)) {
      const type = schema.getType(typeName)
      typePolicies.set(typeName, type ? readDeclaredPolicy(schema, type, typeName) : undefined)
    }
    return typePolicies.get(typeName)
  }
  const subscriptionType = schema.getSubscriptionType()?.name

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const where = `${typeName}.${fieldName}`
      const policy = effectivePolicy(
        typePolicy(typeName),
        readDeclaredPolicy(schema, fieldConfig, where),
        where,
      )
      if (!policy) return fieldConfig
      return protect(fieldConfig, policy, typeName === subscriptionType)
    },
    [MapperKind.INTERFACE_FIELD]: (fieldConfig, fieldName, typeName) => {
      if (readDeclaredPolicy(schema, fieldConfig, `${typeName}.${fieldName}`)) {
        throw new ConfigError([
          {
            path: `${typeName}.${fieldName}`,
            message:
              'interface fields do not resolve; put the directive on the implementing object types or fields',
          },
        ])
      }
      return fieldConfig
    },
  })
}

function protect(
  fieldConfig: GraphQLFieldConfig<unknown, unknown>,
  policy: AuthPolicy,
  isSubscriptionRoot: boolean,
): GraphQLFieldConfig<unknown, unknown> {
  const guard = createFieldGuard(policy)
  const subscribe = fieldConfig.subscribe ?? (isSubscriptionRoot ? defaultFieldResolver : undefined)
  return {
    ...fieldConfig,
    resolve: guardResolver(fieldConfig.resolve ?? defaultFieldResolver, guard),
    ...(subscribe && { subscribe: guardResolver(subscribe, guard) }),
    extensions: { ...fieldConfig.extensions, [GUARD_EXTENSION]: guard },
  }
}
