import { type Auth, type CompiledPolicy, ConfigError } from '@portcullis/core'
import { type GraphQLField, type GraphQLSchema, isObjectType } from 'graphql'
import { type FieldGuard, GUARD_EXTENSION, isFieldGuard } from './guard.js'
import { guardsOfResolver } from './guarded-resolver.js'
import type { AuthInputReader } from './request-input.js'

/**
 * What one `usePortcullis(auth)` shares across operations: the `Auth`, the input reader, and every
 * policy of the schema compiled once, by guard key, when the schema is set (so a policy core cannot
 * honour fails when the server is built, not on the first request).
 */
export class PortcullisRuntime {
  readonly auth: Auth
  readonly readInput: AuthInputReader
  /** What an operation authenticates a bearer token under, once; fields' rules are then authorized on it. */
  readonly bearerIdentity: CompiledPolicy
  readonly #policies = new Map<string, CompiledPolicy>()
  readonly #schemas = new WeakSet<GraphQLSchema>()

  constructor(auth: Auth, readInput: AuthInputReader) {
    this.auth = auth
    this.readInput = readInput
    this.bearerIdentity = auth.policy({ mode: 'jwt', optional: true })
  }

  /** The compiled policy for a guard; compiled on first sight if the schema walk did not meet it. */
  compile(guard: FieldGuard): CompiledPolicy {
    let policy = this.#policies.get(guard.key)
    if (policy === undefined) {
      policy = this.auth.policy(guard.policy)
      this.#policies.set(guard.key, policy)
    }
    return policy
  }

  /** Compiles every guard found on the schema's object fields; throws `ConfigError` naming the field. */
  compileSchema(schema: GraphQLSchema): void {
    if (this.#schemas.has(schema)) return
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue
      for (const field of Object.values(type.getFields())) {
        for (const guard of guardsOfField(field)) this.#compileFor(`${type.name}.${field.name}`, guard)
      }
    }
    this.#schemas.add(schema)
  }

  #compileFor(coordinate: string, guard: FieldGuard): void {
    try {
      this.compile(guard)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: `${coordinate}: ${issue.path}` })))
    }
  }
}

function guardsOfField(field: GraphQLField<unknown, unknown>): FieldGuard[] {
  const recorded = field.extensions[GUARD_EXTENSION]
  return [
    ...(isFieldGuard(recorded) ? [recorded] : []),
    ...guardsOfResolver(field.resolve),
    ...guardsOfResolver(field.subscribe),
  ]
}
