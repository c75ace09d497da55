import { type AuthInput, type AuthResult, type CompiledPolicy, isAuthError } from '@portcullis/core'
import { PortcullisAuthError } from './errors.js'
import type { FieldGuard } from './guard.js'
import type { PortcullisRuntime } from './runtime.js'

const OPERATION = Symbol.for('@portcullis/graphql.operation')

type Context = Record<PropertyKey, unknown>

/** Memo key of the one bearer-token authentication an operation makes, whatever scopes its fields ask for. */
const BEARER_IDENTITY = 'jwt'

/**
 * Authentication state of one GraphQL operation, kept on its context object. Bearer tokens (`jwt`
 * mode) are authenticated once per operation, under `{ mode: 'jwt', optional: true }`; each field's
 * own rules (required or optional, scopes, issuers) are then checked on that result with core's
 * `auth.authorize`. Other modes are authenticated once per distinct policy until core's `authorize`
 * covers project results. The promises are memoized, so fields that resolve in parallel wait on the
 * same call, and a bad token fails them all with the same error.
 */
export class OperationAuth {
  readonly #runtime: PortcullisRuntime
  readonly #context: Context
  #input: AuthInput | undefined
  readonly #results = new Map<string, Promise<AuthResult>>()
  /** Authentications that passed, by memo key: what a subscription re-checks before each event. */
  readonly #passed = new Map<string, CompiledPolicy>()

  constructor(runtime: PortcullisRuntime, context: Context) {
    this.#runtime = runtime
    this.#context = context
  }

  /** Resolves once `guard` passed (the result is then on the context) or rejects with `PortcullisAuthError`. Hot path. */
  async authenticate(guard: FieldGuard): Promise<AuthResult> {
    const policy = this.#runtime.compile(guard)
    if (policy.mode !== 'jwt') return this.#once(guard.key, policy)
    const result = await this.#once(BEARER_IDENTITY, this.#runtime.bearerIdentity)
    try {
      this.#runtime.auth.authorize(result, policy)
    } catch (error) {
      throw isAuthError(error) ? new PortcullisAuthError(error) : error
    }
    return result
  }

  /**
   * Runs every authentication that passed again, unmemoized (core's token cache makes this cheap): a
   * token revoked or expired since the subscription started yields its error. Undefined when all pass.
   */
  async recheck(): Promise<PortcullisAuthError | undefined> {
    for (const policy of this.#passed.values()) {
      try {
        await this.#runtime.auth.authenticate(this.#readInput(), policy)
      } catch (error) {
        if (isAuthError(error)) return new PortcullisAuthError(error)
        throw error
      }
    }
    return undefined
  }

  #once(key: string, policy: CompiledPolicy): Promise<AuthResult> {
    let pending = this.#results.get(key)
    if (pending === undefined) {
      pending = this.#run(key, policy)
      this.#results.set(key, pending)
    }
    return pending
  }

  async #run(key: string, policy: CompiledPolicy): Promise<AuthResult> {
    let result: AuthResult
    try {
      result = await this.#runtime.auth.authenticate(this.#readInput(), policy)
    } catch (error) {
      // Anything but an AuthError is the application's problem: let it surface (and be masked) as such.
      throw isAuthError(error) ? new PortcullisAuthError(error) : error
    }
    attachResult(this.#context, result)
    this.#passed.set(key, policy)
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
