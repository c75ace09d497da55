import type { JwsAlgorithm } from '../jwt/algorithms.js'
import type { VerificationKey } from './verification-key.js'

/** An immutable set of verification keys, indexed by `kid` for the per-token lookup. */
export class KeySet {
  readonly size: number
  readonly #byKid = new Map<string, VerificationKey[]>()
  readonly #all: readonly VerificationKey[]

  constructor(keys: readonly VerificationKey[]) {
    this.#all = keys
    this.size = keys.length
    for (const key of keys) {
      if (key.kid === undefined) continue
      const list = this.#byKid.get(key.kid)
      if (list) list.push(key)
      else this.#byKid.set(key.kid, [key])
    }
  }

  /**
   * The key that may verify a token with this `kid` and `alg`. A kid picks among keys with that kid; when
   * none has it, or the token names none, the one key without a kid that fits the algorithm is used
   * (a configured PEM, a JWKS entry without kid). Several such keys are ambiguous: no key. Hot path.
   */
  select(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | undefined {
    if (kid !== undefined) {
      const candidates = this.#byKid.get(kid)
      if (candidates !== undefined) {
        for (const key of candidates) if (key.verifierFor(alg)) return key
        return undefined
      }
    }
    let found: VerificationKey | undefined
    for (const key of this.#all) {
      if ((kid !== undefined && key.kid !== undefined) || !key.verifierFor(alg)) continue
      if (found) return undefined
      found = key
    }
    return found
  }
}
