import { type DirectableGraphQLObject, getDirective } from '@graphql-tools/utils'
import { type AuthMode, ConfigError } from '@portcullis/core'
import type { GraphQLSchema } from 'graphql'
import type { DeclaredPolicy } from '../declared-policy.js'

const AUTH_DIRECTIVES: readonly (readonly [name: string, mode: AuthMode])[] = [
  ['jwtAuth', 'jwt'],
  ['projectAuth', 'project'],
  ['combinedAuth', 'combined'],
  ['anyAuth', 'any'],
]

/**
 * Reads the Portcullis directives on a field or type; undefined when there are none. Throws
 * `ConfigError` (naming `where`) for what cannot be honoured: two auth directives at once, or
 * `@serviceAuth` while core has no service-token policy.
 */
export function readDeclaredPolicy(
  schema: GraphQLSchema,
  node: DirectableGraphQLObject,
  where: string,
): DeclaredPolicy | undefined {
  const service = getDirective(schema, node, 'serviceAuth')
  if (service?.length) throw serviceAuthUnsupported(where)
  const declared: { name: string; mode: AuthMode; args: Record<string, unknown> }[] = []
  for (const [name, mode] of AUTH_DIRECTIVES) {
    for (const args of getDirective(schema, node, name) ?? []) declared.push({ name, mode, args })
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
  const auth = declared[0]
  if (!auth && scopes.length === 0) return undefined
  return {
    ...(auth && { mode: auth.mode, optional: auth.args.optional === true }),
    scopes: [...strings(auth?.args.scopes), ...scopes.flatMap((args) => strings(args.requires))],
    anyScopes: scopes.flatMap((args) => strings(args.any)),
  }
}

/**
 * `@serviceAuth` maps to a project-mode policy restricted to Mercury service tokens, once core can
 * express it (intended: `{ mode: 'project', projectTokens: ['service'], scopes }`). Until then a schema
 * that uses it must not start: a guard that silently accepted other credentials would be a hole.
 */
function serviceAuthUnsupported(where: string): ConfigError {
  return new ConfigError([
    {
      path: `${where} @serviceAuth`,
      message:
        'needs Mercury service tokens, which @portcullis/core does not support yet; use @projectAuth, or wait for service-token support',
    },
  ])
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}
