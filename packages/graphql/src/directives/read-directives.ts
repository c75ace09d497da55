import { type DirectableGraphQLObject, getDirective } from '@graphql-tools/utils'
import { ConfigError } from '@portcullis/core'
import type { GraphQLSchema } from 'graphql'
import type { DeclaredAuth, DeclaredPolicy } from '../declared-policy.js'
import { policyOfName } from '../policy-names.js'

const AUTH_DIRECTIVES: readonly (readonly [directive: string, auth: DeclaredAuth])[] = (
  [
    ['jwtAuth', 'jwt'],
    ['projectAuth', 'project'],
    ['combinedAuth', 'combined'],
    ['anyAuth', 'any'],
    ['serviceAuth', 'service'],
  ] as const
).map(([directive, name]) => [directive, policyOfName(name)] as const)

/**
 * Reads the Portcullis directives on a field or type; undefined when there are none. Throws
 * `ConfigError` (naming `where`) when two auth directives are given at once.
 */
export function readDeclaredPolicy(
  schema: GraphQLSchema,
  node: DirectableGraphQLObject,
  where: string,
): DeclaredPolicy | undefined {
  const declared: { name: string; auth: DeclaredAuth; args: Record<string, unknown> }[] = []
  for (const [name, auth] of AUTH_DIRECTIVES) {
    for (const args of getDirective(schema, node, name) ?? []) declared.push({ name, auth, args })
  }
  if (declared.length > 1) {
    const names = declared.map((d) => `@${d.name}`).join(' ')
    throw new ConfigError([
      {
        path: where,
        message: `${names}: one auth directive per field or type (use @combinedAuth for both credentials, @anyAuth for either)`,
      },
    ])
  }
  const scopes = getDirective(schema, node, 'scopes') ?? []
  const found = declared[0]
  if (!found && scopes.length === 0) return undefined
  const args = found?.args ?? {}
  return {
    ...(found && {
      auth: {
        ...found.auth,
        ...(args.optional === true && { optional: true }),
        ...(args.mergeScopes === true && { mergeScopes: true }),
      },
    }),
    scopes: [...strings(args.scopes), ...scopes.flatMap((scope) => strings(scope.requires))],
    anyScopes: scopes.flatMap((scope) => strings(scope.any)),
    userScopes: strings(args.userScopes),
    projectScopes: strings(args.projectScopes),
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}
