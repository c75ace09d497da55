import type { JWK } from 'jose'
import type { TestAlg } from './algorithms.js'
import type { TestKey } from './test-key.js'

/**
 * The keys an issuer publishes, in publication order, plus every key it ever held so a test can
 * still sign with a key after unpublishing it (the "signed by a retired key" case).
 */
export class PublishedKeySet {
  readonly #published: TestKey[] = []
  readonly #rawJwks: JWK[] = []
  readonly #everHeld = new Map<string, TestKey>()

  get keys(): readonly TestKey[] {
    return [...this.#published]
  }

  add(key: TestKey): void {
    if (this.#published.some((published) => published.kid === key.kid)) {
      throw new Error(`a key with kid "${key.kid}" is already published`)
    }
    this.#published.push(key)
    this.#everHeld.set(key.kid, key)
  }

  addRawJwk(jwk: JWK): void {
    this.#rawJwks.push(jwk)
  }

  /** Unpublishes the key and any raw JWK with this kid. */
  remove(kid: string): void {
    const keyIndex = this.#published.findIndex((key) => key.kid === kid)
    const rawIndex = this.#rawJwks.findIndex((jwk) => jwk.kid === kid)
    if (keyIndex === -1 && rawIndex === -1) throw new Error(`no published key has kid "${kid}"`)
    if (keyIndex !== -1) this.#published.splice(keyIndex, 1)
    for (let index = this.#rawJwks.length - 1; index >= 0; index--) {
      if (this.#rawJwks[index]?.kid === kid) this.#rawJwks.splice(index, 1)
    }
  }

  newest(alg: TestAlg): TestKey {
    const key = this.#published.findLast((published) => published.alg === alg)
    if (!key) throw new Error(`the issuer publishes no ${alg} key`)
    return key
  }

  /** Finds a key by kid among every key the issuer ever held, published or not. */
  byKid(kid: string): TestKey {
    const key = this.#everHeld.get(kid)
    if (!key) throw new Error(`the issuer never held a key with kid "${kid}"`)
    return key
  }

  hasKid(kid: string): boolean {
    return this.#everHeld.has(kid)
  }

  toJwks(): { keys: JWK[] } {
    return { keys: [...this.#published.map((key) => key.publicJwk), ...this.#rawJwks] }
  }

  /** Algorithms of the published test keys, in first-published order, without repeats. */
  algs(): TestAlg[] {
    return [...new Set(this.#published.map((key) => key.alg))]
  }
}
