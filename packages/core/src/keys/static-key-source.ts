import { AuthError, because } from '../errors.js'
import type { JwsAlgorithm } from '../jwt/algorithms.js'
import type { KeySet } from './key-set.js'
import type { KeySource } from './key-source.js'
import type { VerificationKey } from './verification-key.js'

/** Keys given in configuration (PEM, JWK or an HS secret): nothing is ever fetched. */
export class StaticKeySource implements KeySource {
  #keys: KeySet | undefined
  readonly #loading: Promise<KeySet>

  /** JWK imports are async (jose), so the set may arrive a moment after construction. */
  constructor(keys: Promise<KeySet>) {
    this.#loading = keys.then((set) => {
      this.#keys = set
      return set
    })
    this.#loading.catch(() => {})
  }

  resolveSigningKey(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | Promise<VerificationKey> {
    if (this.#keys) return pick(this.#keys, kid, alg)
    return this.#loading.then((set) => pick(set, kid, alg))
  }

  async warm(): Promise<void> {
    await this.#loading.catch(() => {})
  }

  close(): void {}
}

function pick(keys: KeySet, kid: string | undefined, alg: JwsAlgorithm): VerificationKey {
  const key = keys.select(kid, alg)
  if (!key)
    throw new AuthError('token_key_unknown', {
      cause: because(`no configured key matches kid ${kid ?? '(none)'}`),
    })
  return key
}
