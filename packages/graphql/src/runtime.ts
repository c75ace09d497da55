import { type Auth, type CompiledPolicy, ConfigError } from '@portcullis/core'
import { type GraphQLField, type GraphQLSchema, isObjectType } from 'graphql'
import { type FieldGuard, GUARD_EXTENSION, isFieldGuard } from './guard.js'
import { guardsOfResolver } from './guarded-resolver.js'
import type { AuthInputReader } from './request-input.js'

/** A kind of credential an operation authenticates once: memo key and identity policy. */
export interface Identity {
  readonly key: string
  readonly policy: CompiledPolicy
}

/**
 * What one `usePortcullis(auth)` shares across operations: the `Auth`, the input reader, and every
 * policy of the schema compiled once, by guard key, when the schema is set (so a policy core cannot
 * honour fails when the server is built, not on the first request).
 */
export class PortcullisRuntime {
  readonly auth: Auth
  readonly readInput: AuthInputReader
  readonly #policies = new Map<string, CompiledPolicy>()
  /** Guards with allow rules of their own: one compiled policy each. */
  readonly #ownPolicies = new WeakMap<FieldGuard, CompiledPolicy>()
  readonly #identities = new Map<string, Identity>()
  readonly #schemas = new WeakSet<GraphQLSchema>()

  constructor(auth: Auth, readInput: AuthInputReader) {
    this.auth = auth
    this.readInput = readInput
  }

  /**
   * The compiled policy for a guard; compiled on first sight if the schema walk did not meet it, together
   * with its identity policy (so a mode core cannot serve fails here, not per request).
   */
  compile(guard: FieldGuard): CompiledPolicy {
    let policy = guard.key === undefined ? this.#ownPolicies.get(guard) : this.#policies.get(guard.key)
    if (policy === undefined) {
      policy = this.auth.policy(guard.policy)
      this.identity(policy)
      if (guard.key === undefined) this.#ownPolicies.set(guard, policy)
      else this.#policies.set(guard.key, policy)
    }
    return policy
  }

  /**
   * What an operation authenticates a policy's kind of credential under, once: the same mode (and, for
   * `any`, the same accepted credentials), whoever presents such a credential is identified (bad ones
   * fail), nobody is required, and no rule is applied yet. Each field's own rules (required or optional,
   * scopes, issuers, project kinds, allow rules) are then checked on that result with `auth.authorize`.
   * The empty `allow` replaces the configured rules at this step only, because a field's own `allow`
   * replaces them too; `authorize` applies whichever holds for the field. Hot path once warm.
   */
  identity(policy: CompiledPolicy): Identity {
    const key = policy.accept ? `${policy.mode}:${[...policy.accept].sort().join(',')}` : policy.mode
    let identity = this.#identities.get(key)
    if (identity === undefined) {
      const compiled = this.auth.policy({
        mode: policy.mode,
        optional: true,
        allow: {},
        ...(policy.accept && { accept: [...policy.accept] }),
      })
      identity = { key, policy: compiled }
      this.#identities.set(key, identity)
    }
    return identity
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
      // Core refuses an unknown mode or project kind with a TypeError: name the field for that too.
      if (error instanceof TypeError) throw new ConfigError([{ path: coordinate, message: error.message }])
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
