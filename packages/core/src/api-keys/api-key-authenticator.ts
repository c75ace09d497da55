import { createHmac } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { AuthError, because } from '../errors.js'
import type { User } from '../presets/types.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from '../request/input.js'
import type { RevocationChecker } from '../revocation/revocation-checker.js'
import type { SharedStore } from '../store/shared-store.js'
import { type ApiKeyRecord, type ApiKeysConfig, apiKeyRecordSchema } from './config.js'

/** The identity an API key stands for; also reported as `result.user` (issuer `api-key`). */
export interface ApiKeyIdentity {
  id: string
  owner: string
  scopes: readonly string[]
  expiresAt?: number
}

/** The issuer name API-key users carry, so allow rules can treat them separately (`allow.issuers['api-key']`). */
export const API_KEY_ISSUER = 'api-key'
const SCHEME = /^ApiKey +(\S+) *$/i
const MAX_KEY_LENGTH = 512

/** The peppered hash an API key is stored and looked up as. */
export function hashApiKey(key: string, pepper: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex')
}

/**
 * Authenticates plain API keys: the key is hashed with the pepper at once, and only the hash is looked up
 * (in configuration, then the shared store), cached (positive and negative) and logged. Expired keys are
 * refused; a revoked key (`auth.revoke.apiKey(id)`) is refused on every request, cache hit or not.
 */
export class ApiKeyAuthenticator {
  readonly #config: ApiKeysConfig
  readonly #static: ReadonlyMap<string, ApiKeyRecord>
  readonly #store: SharedStore | undefined
  readonly #cache: LRUCache<string, ApiKeyRecord | false>
  readonly #revocations: RevocationChecker

  constructor(config: ApiKeysConfig, revocations: RevocationChecker, store: SharedStore | undefined) {
    this.#config = config
    this.#static = new Map(config.keys.map((key) => [key.hash, key]))
    this.#store = store?.shared ? store : undefined
    this.#cache = new LRUCache({ max: config.cache.maxEntries })
    this.#revocations = revocations
  }

  /** The key the request carries, if any (`x-api-key`, or `Authorization: ApiKey <key>`). Hot path. */
  extract(headers: HeaderBag): string | undefined {
    const value = readHeader(headers, this.#config.header)
    if (value === AMBIGUOUS)
      throw new AuthError('invalid_request', { cause: because('several API key headers') })
    if (value !== undefined) return checked(value.trim())
    const authorization = readHeader(headers, 'authorization')
    if (typeof authorization !== 'string') return undefined
    const match = SCHEME.exec(authorization)
    return match ? checked(match[1] as string) : undefined
  }

  async authenticate(key: string, nowMs: number): Promise<{ identity: ApiKeyIdentity; user: User }> {
    const hash = hashApiKey(key, this.#config.pepper)
    let record = this.#cache.get(hash)
    if (record === undefined) {
      record = this.#static.get(hash) ?? (await this.#lookupShared(hash)) ?? false
      const ttl = (record ? this.#config.cache.ttlSec : this.#config.cache.negativeTtlSec) * 1000
      this.#cache.set(hash, record, { ttl })
    }
    if (!record) throw new AuthError('api_key_invalid')
    const expiresAt = record.expiresAt === undefined ? undefined : Date.parse(record.expiresAt)
    if (expiresAt !== undefined && expiresAt <= nowMs)
      throw new AuthError('api_key_invalid', { cause: because('API key expired') })
    try {
      const pending = this.#revocations.checkProject(apiKeyRevocationId(record.id), nowMs)
      if (pending) await pending
    } catch (error) {
      if (error instanceof AuthError && error.code === 'project_revoked')
        throw new AuthError('api_key_revoked')
      throw error
    }
    const identity: ApiKeyIdentity = { id: record.id, owner: record.owner, scopes: record.scopes }
    if (expiresAt !== undefined) identity.expiresAt = expiresAt / 1000
    const user: User = {
      id: record.owner,
      subject: `apikey:${record.id}`,
      issuer: API_KEY_ISSUER,
      scopes: record.scopes,
    }
    return { identity, user }
  }

  /** Keys issued at run time live in the shared store as JSON records; Redis errors fail closed. */
  async #lookupShared(hash: string): Promise<ApiKeyRecord | undefined> {
    if (!this.#store) return undefined
    let text: string | undefined
    try {
      text = await this.#store.get(`apikey:${hash}`)
    } catch (cause) {
      throw new AuthError('auth_unavailable', { cause })
    }
    if (text === undefined) return undefined
    try {
      const parsed = apiKeyRecordSchema.safeParse(JSON.parse(text))
      return parsed.success && parsed.data.hash === hash ? parsed.data : undefined
    } catch {
      return undefined
    }
  }
}

/** API-key revocations share the project revocation list under this id. */
export function apiKeyRevocationId(id: string): string {
  return `apikey:${id}`
}

function checked(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH)
    throw new AuthError('api_key_invalid', { cause: because('API key length') })
  return key
}
