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
 * `auth.authorize`, which never authenticates again. Each authentication is memoized, so fields that
 * resolve in parallel wait on the same call and bad credentials fail them all with the same error: as
 * the result once it succeeded (later fields then pass within the same tick), as a promise while pending
 * and for good once it failed.
 */
export class OperationAuth {
  readonly #runtime: PortcullisRuntime
  readonly #context: Context
  #input: AuthInput | undefined
  /**
   * Each identity's authentication, memoized: the first one in a slot of its own (an operation seldom asks
   * for more than one kind of credential, and a map per operation is garbage for every request), any
   * further ones in a map.
   */
  #firstKey: string | undefined
  #firstOutcome: AuthResult | Promise<AuthResult> | undefined
  #otherOutcomes: Map<string, AuthResult | Promise<AuthResult>> | undefined
  /**
   * Authentications that passed, by identity key: what a subscription re-checks before each event. Kept for
   * subscriptions only: a query or mutation is never re-checked, and these are two maps fewer per operation.
   */
  readonly #passed: Map<string, CompiledPolicy> | undefined
  /** Field policies that passed, with the identity they were checked on: authorized again on each fresh result. */
  readonly #authorized: Map<CompiledPolicy, string> | undefined

  constructor(runtime: PortcullisRuntime, context: Context, subscription: boolean) {
    this.#runtime = runtime
    this.#context = context
    if (subscription) {
      this.#passed = new Map()
      this.#authorized = new Map()
    }
  }

  /** Resolves once `guard` passed (the result is then on the context) or rejects with `PortcullisAuthError`. */
  async authenticate(guard: FieldGuard): Promise<AuthResult> {
    return this.authenticateNow(guard)
  }

  /**
   * `authenticate` for the hot path: when the identity's authentication has succeeded (or does so now,
   * with nothing to await: an L1 cache hit) the result comes back as it is, and a field policy refusing
   * it throws `PortcullisAuthError` at once; otherwise a promise. A resolver that needs nothing awaited
   * then keeps graphql-js executing synchronously: no microtasks, no promises. Hot path.
   */
  authenticateNow(guard: FieldGuard): AuthResult | Promise<AuthResult> {
    const policy = this.#runtime.compile(guard)
    const identity = this.#runtime.identity(policy)
    const outcome = this.#once(identity)
    if (outcome instanceof Promise) return outcome.then((result) => this.#admit(result, policy, identity.key))
    return this.#admit(outcome, policy, identity.key)
  }

  /**
   * Authenticates every mode that passed again, unmemoized (core's caches make this cheap), and checks
   * every field policy that passed on the fresh results: credentials revoked or expired since the
   * subscription started yield their error. Undefined when all pass.
   */
  async recheck(): Promise<PortcullisAuthError | undefined> {
    const fresh = new Map<string, AuthResult>()
    try {
      for (const [key, identity] of this.#passed ?? []) {
        fresh.set(key, await this.#runtime.auth.authenticate(this.#readInput(), identity))
      }
      for (const [policy, key] of this.#authorized ?? []) {
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

  /** The field's own rules on its identity's result; remembered for a subscription's re-checks once they pass. */
  #admit(result: AuthResult, policy: CompiledPolicy, key: string): AuthResult {
    this.#authorize(result, policy)
    this.#authorized?.set(policy, key)
    return result
  }

  #authorize(result: AuthResult, policy: CompiledPolicy): void {
    try {
      this.#runtime.auth.authorize(result, policy)
    } catch (error) {
      throw asFieldError(error)
    }
  }

  #once(identity: Identity): AuthResult | Promise<AuthResult> {
    const key = identity.key
    let outcome = key === this.#firstKey ? this.#firstOutcome : this.#otherOutcomes?.get(key)
    if (outcome === undefined) {
      outcome = this.#run(identity)
      this.#memoize(key, outcome)
    }
    return outcome
  }

  #memoize(key: string, outcome: AuthResult | Promise<AuthResult>): void {
    if (this.#firstKey === undefined || this.#firstKey === key) {
      this.#firstKey = key
      this.#firstOutcome = outcome
    } else {
      this.#otherOutcomes ??= new Map()
      this.#otherOutcomes.set(key, outcome)
    }
  }

  /**
   * Authenticates an identity with core's `authenticateNow`: a success with nothing to await is settled
   * here, in the same tick. A failure stays memoized as the promise it rejects, so every field sees the
   * same error and none authenticates again.
   */
  #run(identity: Identity): AuthResult | Promise<AuthResult> {
    let outcome: AuthResult | Promise<AuthResult>
    try {
      outcome = this.#runtime.auth.authenticateNow(this.#readInput(), identity.policy)
    } catch (error) {
      // Core never throws here, but the input reader (the application's `getInput`) may.
      return Promise.reject(asFieldError(error))
    }
    if (!(outcome instanceof Promise)) return this.#succeeded(identity, outcome)
    return outcome.then(
      (result) => {
        // Fields that ask from now on get the result itself, not the promise.
        this.#memoize(identity.key, result)
        return this.#succeeded(identity, result)
      },
      (error: unknown) => {
        throw asFieldError(error)
      },
    )
  }

  #succeeded(identity: Identity, result: AuthResult): AuthResult {
    attachResult(this.#context, result)
    this.#passed?.set(identity.key, identity.policy)
    return result
  }

  #readInput(): AuthInput {
    if (this.#input === undefined) this.#input = this.#runtime.readInput(this.#context) ?? { headers: {} }
    return this.#input
  }
}

/**
 * Starts a fresh state for an operation: a context object reused for another operation never inherits a result.
 * A subscription's state also records what passed, for the re-check before each event.
 */
export function beginOperation(
  runtime: PortcullisRuntime,
  context: object,
  subscription: boolean,
): OperationAuth {
  const operation = new OperationAuth(runtime, context as Context, subscription)
  Object.defineProperty(context, OPERATION, { value: operation, configurable: true, writable: true })
  return operation
}

/** The state `usePortcullis` installed on this context. Hot path. */
export function operationAuthOf(context: unknown): OperationAuth {
  // Checked by shape, not instanceof: the key is ours (Symbol.for), and a second copy of this module
  // (ESM and CJS builds loaded side by side) must still find the state the plugin installed.
  const operation = (context as Context | null | undefined)?.[OPERATION] as OperationAuth | undefined
  if (typeof operation?.authenticateNow === 'function') return operation
  throw new Error(
    '@portcullis/graphql: a protected field ran without the usePortcullis(auth) plugin (add it to your Yoga/envelop plugins)',
  )
}

/** Anything but an AuthError is the application's problem: let it surface (and be masked) as such. */
function asFieldError(error: unknown): unknown {
  return isAuthError(error) ? new PortcullisAuthError(error) : error
}

/** Copies every field the result has (`user`, `claims`, `token`, `issuer`, `project`, ...) onto the context. */
function attachResult(context: Context, result: AuthResult): void {
  // `for...in` rather than `Object.entries`: no array of pairs per operation (a result is a plain object).
  for (const key in result) {
    const value = result[key as keyof AuthResult]
    if (value !== undefined) context[key] = value
  }
}
