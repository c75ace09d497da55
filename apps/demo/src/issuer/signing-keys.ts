import { generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, type JWK } from 'jose'

const generateRsa = promisify(generateKeyPair)

/** `next` is published before it signs anything, so APIs already hold it when it becomes `current`. */
export type KeyState = 'next' | 'current' | 'retired'

export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  publicJwk: JWK
  state: KeyState
  createdAt: number
  /** Retired keys stay published until every token they signed has expired (plus leeway). */
  removeAt?: number
}

export interface SigningKeysOptions {
  /** Longest lifetime of a token signed by a key: how long a retired key stays published. */
  maxTokenLifetimeSec: number
  /** Extra time a retired key is kept, covering clock skew at the APIs. */
  leewaySec?: number
  modulusLength?: number
}

/**
 * The issuer's RS512 key ring: one current key signs, the next one is already published, retired ones are
 * published until their last token expired. Rotation never invalidates a token that is still valid.
 */
export class SigningKeys {
  readonly #keys: SigningKey[] = []
  readonly #options: Required<SigningKeysOptions>

  private constructor(options: SigningKeysOptions) {
    this.#options = { leewaySec: 60, modulusLength: 2048, ...options }
  }

  static async create(options: SigningKeysOptions): Promise<SigningKeys> {
    const ring = new SigningKeys(options)
    const [current, next] = await Promise.all([ring.#generate('current'), ring.#generate('next')])
    ring.#keys.push(current, next)
    return ring
  }

  get current(): SigningKey {
    return this.#keys.find((key) => key.state === 'current') as SigningKey
  }

  /** The published set (RFC 7517): current, next, and retired keys whose tokens may still be live. */
  jwks(now = Date.now()): { keys: JWK[] } {
    this.#prune(now)
    return { keys: this.#keys.map((key) => key.publicJwk) }
  }

  publicKey(kid: string): KeyObject | undefined {
    return this.#keys.find((key) => key.kid === kid && key.state !== 'next')?.publicKey
  }

  /** next → current, current → retired (kept until its tokens expire), and a fresh next. */
  async rotate(now = Date.now()): Promise<{ current: string; retired: string; next: string }> {
    const fresh = await this.#generate('next')
    const previous = this.current
    const promoted = this.#keys.find((key) => key.state === 'next') as SigningKey
    previous.state = 'retired'
    previous.removeAt = now + (this.#options.maxTokenLifetimeSec + this.#options.leewaySec) * 1000
    promoted.state = 'current'
    this.#keys.push(fresh)
    this.#prune(now)
    return { current: promoted.kid, retired: previous.kid, next: fresh.kid }
  }

  /** Each key with its state, for the admin view and the tests. */
  describe(now = Date.now()): { kid: string; state: KeyState; removeAt?: string }[] {
    this.#prune(now)
    return this.#keys.map((key) => ({
      kid: key.kid,
      state: key.state,
      ...(key.removeAt !== undefined && { removeAt: new Date(key.removeAt).toISOString() }),
    }))
  }

  #prune(now: number): void {
    for (let index = this.#keys.length - 1; index >= 0; index--) {
      const removeAt = this.#keys[index]?.removeAt
      if (removeAt !== undefined && removeAt <= now) this.#keys.splice(index, 1)
    }
  }

  async #generate(state: KeyState): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: this.#options.modulusLength })
    const jwk = publicKey.export({ format: 'jwk' }) as JWK
    const kid = await calculateJwkThumbprint(jwk)
    return {
      kid,
      privateKey,
      publicKey,
      publicJwk: { ...jwk, kid, alg: 'RS512', use: 'sig' },
      state,
      createdAt: Date.now(),
    }
  }
}
