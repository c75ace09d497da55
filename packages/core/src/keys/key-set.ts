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
   * The key that may verify a token with this `kid` and `alg`. A token naming a kid only matches keys with
   * that kid; a token without one matches only when exactly one key fits the algorithm. Hot path.
   */
  select(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | undefined {
    if (kid !== undefined) {
      const candidates = this.#byKid.get(kid)
      if (candidates === undefined) return undefined
      for (const key of candidates) if (key.verifierFor(alg)) return key
      return undefined
    }
    let found: VerificationKey | undefined
    for (const key of this.#all) {
      if (!key.verifierFor(alg)) continue
      if (found) return undefined
      found = key
    }
    return found
  }
}
