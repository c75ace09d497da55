import { type AuthInput, type AuthResult, type CompiledPolicy, isAuthError } from '@portcullis/core'
import { PortcullisAuthError } from './errors.js'
import type { FieldGuard } from './guard.js'
import type { Identity, PortcullisRuntime } from './runtime.js'

const OPERATION = Symbol.for('@portcullis/graphql.operation')

type Context = Record<PropertyKey, unknown>

/**
 * Authentication state of one GraphQL operation, kept on its context object. Each kind of credential
 * a field asks for (its mode: `jwt`, `project`, `combined`, `any`, and for `any` the credentials it
 * accepts) is authenticated once per operation, under the runtime's identity policy for it; each field's own rules (required or
 * optional, scopes, issuers, project kinds, allow rules) are then checked on that result with core's
 * `auth.authorize`, which never authenticates again. The authentications are memoized promises, so
 * fields that resolve in parallel wait on the same call, and bad credentials fail them all with the
 * same error.
 */
export class OperationAuth {
  readonly #runtime: PortcullisRuntime
  readonly #context: Context
  #input: AuthInput | undefined
  readonly #results = new Map<string, Promise<AuthResult>>()
  /** Authentications that passed, by identity key: what a subscription re-checks before each event. */
  readonly #passed = new Map<string, CompiledPolicy>()
  /** Field policies that passed, with the identity they were checked on: authorized again on each fresh result. */
  readonly #authorized = new Map<CompiledPolicy, string>()

  constructor(runtime: PortcullisRuntime, context: Context) {
    this.#runtime = runtime
    this.#context = context
  }

  /** Resolves once `guard` passed (the result is then on the context) or rejects with `PortcullisAuthError`. Hot path. */
  async authenticate(guard: FieldGuard): Promise<AuthResult> {
    const policy = this.#runtime.compile(guard)
    const identity = this.#runtime.identity(policy)
    const result = await this.#once(identity)
    this.#authorize(result, policy)
    this.#authorized.set(policy, identity.key)
    return result
  }

  /**
   * Authenticates every mode that passed again, unmemoized (core's caches make this cheap), and checks
   * every field policy that passed on the fresh results: credentials revoked or expired since the
   * subscription started yield their error. Undefined when all pass.
   */
  async recheck(): Promise<PortcullisAuthError | undefined> {
    const fresh = new Map<string, AuthResult>()
    try {
      for (const [key, identity] of this.#passed) {
        fresh.set(key, await this.#runtime.auth.authenticate(this.#readInput(), identity))
      }
      for (const [policy, key] of this.#authorized) {
        const result = fresh.get(key)
        if (result !== undefined) this.#authorize(result, policy)
      }
    } catch (error) {
      if (error instanceof PortcullisAuthError) return error
      if (isAuthError(error)) return new PortcullisAuthError(error)
      throw error
    }
    return undefined
  }

  #authorize(result: AuthResult, policy: CompiledPolicy): void {
    try {
      this.#runtime.auth.authorize(result, policy)
    } catch (error) {
      throw isAuthError(error) ? new PortcullisAuthError(error) : error
    }
  }

  #once(identity: Identity): Promise<AuthResult> {
    let pending = this.#results.get(identity.key)
    if (pending === undefined) {
      pending = this.#run(identity)
      this.#results.set(identity.key, pending)
    }
    return pending
  }

  async #run(identity: Identity): Promise<AuthResult> {
    let result: AuthResult
    try {
      result = await this.#runtime.auth.authenticate(this.#readInput(), identity.policy)
    } catch (error) {
      // Anything but an AuthError is the application's problem: let it surface (and be masked) as such.
      throw isAuthError(error) ? new PortcullisAuthError(error) : error
    }
    attachResult(this.#context, result)
    this.#passed.set(identity.key, identity.policy)
    return result
  }

  #readInput(): AuthInput {
    if (this.#input === undefined) this.#input = this.#runtime.readInput(this.#context) ?? { headers: {} }
    return this.#input
  }
}

/** Starts a fresh state for an operation: a context object reused for another operation never inherits a result. */
export function beginOperation(runtime: PortcullisRuntime, context: object): OperationAuth {
  const operation = new OperationAuth(runtime, context as Context)
  Object.defineProperty(context, OPERATION, { value: operation, configurable: true, writable: true })
  return operation
}

/** The state `usePortcullis` installed on this context. Hot path. */
export function operationAuthOf(context: unknown): OperationAuth {
  // Checked by shape, not instanceof: the key is ours (Symbol.for), and a second copy of this module
  // (ESM and CJS builds loaded side by side) must still find the state the plugin installed.
  const operation = (context as Context | null | undefined)?.[OPERATION] as OperationAuth | undefined
  if (typeof operation?.authenticate === 'function') return operation
  throw new Error(
    '@portcullis/graphql: a protected field ran without the usePortcullis(auth) plugin (add it to your Yoga/envelop plugins)',
  )
}

/** Copies every field the result has (`user`, `claims`, `token`, `issuer`, `project`, ...) onto the context. */
function attachResult(context: Context, result: AuthResult): void {
  for (const [key, value] of Object.entries(result)) {
    if (value !== undefined) context[key] = value
  }
}
