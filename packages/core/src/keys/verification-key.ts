import type { KeyObject } from 'node:crypto'
import {
  createSignatureVerifier,
  type JwsAlgorithm,
  keyMismatch,
  type SignatureVerifier,
} from '../jwt/algorithms.js'

/**
 * A key ready to check signatures: imported once, pinned to its own `alg` when the JWK names one,
 * with one verifier per algorithm built lazily and reused for every later token.
 */
export class VerificationKey {
  readonly kid: string | undefined
  readonly alg: JwsAlgorithm | undefined
  readonly key: KeyObject
  readonly #verifiers = new Map<string, SignatureVerifier | null>()

  constructor(key: KeyObject, kid?: string, alg?: JwsAlgorithm) {
    this.key = key
    this.kid = kid
    this.alg = alg
  }

  /** The verifier for `alg`, or undefined when this key must not be used with it. Hot path. */
  verifierFor(alg: JwsAlgorithm): SignatureVerifier | undefined {
    let verifier = this.#verifiers.get(alg)
    if (verifier === undefined) {
      const usable = (this.alg === undefined || this.alg === alg) && keyMismatch(this.key, alg) === undefined
      verifier = usable ? createSignatureVerifier(this.key, alg) : null
      this.#verifiers.set(alg, verifier)
    }
    return verifier ?? undefined
  }
}
