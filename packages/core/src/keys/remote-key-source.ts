import { createHash } from 'node:crypto'
import { AuthError, because } from '../errors.js'
import type { JwsAlgorithm } from '../jwt/algorithms.js'
import type { SharedStore } from '../store/shared-store.js'
import { FetchError, type FetchLimits, fetchJsonObject } from './fetch-json.js'
import { importVerificationJwk } from './import.js'
import { KeySet } from './key-set.js'
import type { KeySource } from './key-source.js'
import type { VerificationKey } from './verification-key.js'

/** How a key set travels between instances through the shared store. */
interface SharedKeySetDocument {
  fetchedAt: number
  document: Record<string, unknown>
}

const SHARED_WAIT_MS = 1500
const SHARED_POLL_MS = 50

export interface RemoteKeySourceOptions extends FetchLimits {
  issuer: string
  /** The key set URL when known; otherwise found by OIDC discovery, then `{issuer}/.well-known/jwks.json`. */
  jwksUri?: string
  /** Discovery document URL; default `{issuer}/.well-known/openid-configuration`. Ignored with `jwksUri`. */
  discoveryUrl?: string
  /** Skip discovery and go straight to `{issuer}/.well-known/jwks.json` when no `jwksUri` is given. */
  discovery: boolean
  /** How long a fetched key set is fresh; after that it is still served while a refresh runs. */
  ttlMs: number
  /** Minimum time between two fetches caused by unknown kids or failures (a kid storm costs one fetch). */
  cooldownMs: number
  /** How long past its TTL a key set may still be used while the issuer cannot be reached. */
  staleIfErrorMs: number
  onFetch?: (event: KeySetFetchEvent) => void
  /**
   * A store other instances see (Redis): fetched key sets are shared through it, and a short lock there lets
   * one instance fetch while the others wait for its result, so N instances cost the issuer one fetch.
   */
  shared?: SharedStore
}

export interface KeySetFetchEvent {
  issuer: string
  url: string
  ok: boolean
  keys?: number
  skipped?: string[]
  error?: Error
  durationMs: number
}

/**
 * A remote JWKS: fetched on first use, fresh for `ttlMs`, then served stale while one background refresh runs
 * (stale-while-revalidate); an unknown `kid` triggers at most one refresh per cooldown, shared by every waiting
 * request (single-flight); when the issuer is down, the last good set keeps serving for `staleIfErrorMs`.
 */
export class RemoteKeySource implements KeySource {
  readonly #options: RemoteKeySourceOptions
  #keys: KeySet | undefined
  #fetchedAt = 0
  #lastAttemptAt = Number.NEGATIVE_INFINITY
  #inflight: Promise<void> | undefined
  #jwksUri: string | undefined
  #closed = false

  constructor(options: RemoteKeySourceOptions) {
    this.#options = options
    this.#jwksUri = options.jwksUri
  }

  /** Hot path: synchronous whenever the key is held and the set is usable. */
  resolveSigningKey(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | Promise<VerificationKey> {
    const now = Date.now()
    const keys = this.#usableKeys(now)
    if (keys) {
      const key = keys.select(kid, alg)
      if (key) return key
    }
    if (now - this.#lastAttemptAt < this.#options.cooldownMs && !this.#inflight) {
      throw keys ? unknownKey(kid) : unavailable(this.#options.issuer)
    }
    return this.#refresh().then(() => {
      const refreshed = this.#usableKeys(Date.now())
      if (!refreshed) throw unavailable(this.#options.issuer)
      const key = refreshed.select(kid, alg)
      if (!key) throw unknownKey(kid)
      return key
    })
  }

  warm(): Promise<void> {
    return this.#refresh()
  }

  close(): void {
    this.#closed = true
  }

  /** The held set if still usable, starting a background refresh once it is past its TTL. */
  #usableKeys(now: number): KeySet | undefined {
    const keys = this.#keys
    if (!keys) return undefined
    const age = now - this.#fetchedAt
    if (age <= this.#options.ttlMs) return keys
    if (now - this.#lastAttemptAt >= this.#options.cooldownMs) void this.#refresh()
    return age <= this.#options.ttlMs + this.#options.staleIfErrorMs ? keys : undefined
  }

  #refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  /** Fetches (or takes from the shared store) and imports the key set. Never rejects: failures keep the old set. */
  async #load(): Promise<void> {
    const started = Date.now()
    this.#lastAttemptAt = started
    let url = this.#jwksUri ?? ''
    try {
      let shared = await this.#readShared()
      if (!shared) {
        url = await this.#locateKeySet()
        shared = await this.#fetchOnce(url)
      }
      const document = shared.document
      const keys = await importKeySet(document, url)
      this.#keys = new KeySet(keys.imported)
      // A set fetched here (fetchedAt 0) is stamped now and offered to the other instances.
      this.#fetchedAt = shared.fetchedAt || Date.now()
      if (!shared.fetchedAt) await this.#writeShared({ fetchedAt: this.#fetchedAt, document })
      this.#options.onFetch?.({
        issuer: this.#options.issuer,
        url,
        ok: true,
        keys: keys.imported.length,
        skipped: keys.skipped,
        durationMs: Date.now() - started,
      })
    } catch (error) {
      // A configured jwksUri stays; a discovered one is looked up again next time, in case it moved.
      if (!this.#options.jwksUri) this.#jwksUri = undefined
      this.#options.onFetch?.({
        issuer: this.#options.issuer,
        url,
        ok: false,
        error: error as Error,
        durationMs: Date.now() - started,
      })
    }
  }

  /**
   * Fetches from the issuer, unless another instance holds the shared fetch lock: then waits briefly for the
   * set it is fetching. Redis trouble never blocks a fetch; it only loses the sharing.
   */
  async #fetchOnce(url: string): Promise<SharedKeySetDocument> {
    const shared = this.#options.shared
    if (shared) {
      const locked = await shared
        .setIfAbsent(this.#sharedKey('jwks-lock:'), '1', this.#options.timeoutMs + 1000)
        .catch(() => true)
      if (locked) {
        // Double-checked: another instance may have stored a set and released the lock just before we took it.
        const arrived = await this.#readShared()
        if (arrived) {
          await shared.delete(this.#sharedKey('jwks-lock:')).catch(() => {})
          return arrived
        }
      } else {
        const deadline = Date.now() + SHARED_WAIT_MS
        while (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, SHARED_POLL_MS))
          const arrived = await this.#readShared()
          if (arrived) return arrived
        }
      }
    }
    const document = await fetchJsonObject(url, this.#options)
    if (!Array.isArray(document.keys)) throw new FetchError(`${url} has no "keys" array`)
    return { fetchedAt: 0, document }
  }

  /** A shared key set fresher than the one held here, if the store has one. */
  async #readShared(): Promise<SharedKeySetDocument | undefined> {
    const shared = this.#options.shared
    if (!shared) return undefined
    try {
      const text = await shared.get(this.#sharedKey('jwks:'))
      if (!text) return undefined
      const entry = JSON.parse(text) as SharedKeySetDocument
      const fresh = Date.now() - entry.fetchedAt <= this.#options.ttlMs
      return fresh && entry.fetchedAt > this.#fetchedAt && Array.isArray(entry.document?.keys)
        ? entry
        : undefined
    } catch {
      return undefined
    }
  }

  async #writeShared(entry: SharedKeySetDocument): Promise<void> {
    const shared = this.#options.shared
    if (!shared) return
    const ttl = this.#options.ttlMs + this.#options.staleIfErrorMs
    await shared.set(this.#sharedKey('jwks:'), JSON.stringify(entry), ttl).catch(() => {})
    await shared.delete(this.#sharedKey('jwks-lock:')).catch(() => {})
  }

  #sharedKey(kind: string): string {
    this.#sharedId ??= createHash('sha256')
      .update(this.#options.jwksUri ?? this.#options.issuer)
      .digest('hex')
      .slice(0, 32)
    return kind + this.#sharedId
  }

  #sharedId: string | undefined

  async #locateKeySet(): Promise<string> {
    this.#jwksUri ??= await this.#discoverKeySet()
    return this.#jwksUri
  }

  async #discoverKeySet(): Promise<string> {
    const { issuer, discovery } = this.#options
    const derived = `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`
    if (!discovery) return derived
    const discoveryUrl =
      this.#options.discoveryUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
    let metadata: Record<string, unknown>
    try {
      metadata = await fetchJsonObject(discoveryUrl, this.#options)
    } catch (error) {
      // No discovery document at all: fall back to the conventional key set location.
      if (error instanceof FetchError && error.status === 404) return derived
      throw error
    }
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer we asked about.
    if (metadata.issuer !== issuer) throw new FetchError(`${discoveryUrl} names a different issuer`)
    const jwksUri = metadata.jwks_uri
    if (typeof jwksUri !== 'string' || !isAcceptableUrl(jwksUri, discoveryUrl)) {
      throw new FetchError(`${discoveryUrl} has no usable jwks_uri`)
    }
    return jwksUri
  }
}

/** Imports every usable key of a JWKS document; throws when none is usable. */
async function importKeySet(
  document: Record<string, unknown>,
  url: string,
): Promise<{ imported: VerificationKey[]; skipped: string[] }> {
  if (!Array.isArray(document.keys)) throw new FetchError(`${url} has no "keys" array`)
  const results = await Promise.all(document.keys.map(importVerificationJwk))
  const imported: VerificationKey[] = []
  const skipped: string[] = []
  for (const result of results) {
    if ('key' in result) imported.push(result.key)
    else skipped.push(result.skipped)
  }
  if (imported.length === 0) throw new FetchError(`${url} has no usable signing key`)
  return { imported, skipped }
}

/** https always; plain http only when discovery itself was plain http (local development and tests). */
function isAcceptableUrl(candidate: string, base: string): boolean {
  try {
    const { protocol } = new URL(candidate)
    return protocol === 'https:' || (protocol === 'http:' && new URL(base).protocol === 'http:')
  } catch {
    return false
  }
}

function unknownKey(kid: string | undefined): AuthError {
  return new AuthError('token_key_unknown', {
    cause: because(`no key with kid ${kid ?? '(none)'} in the issuer's key set`),
  })
}

function unavailable(issuer: string): AuthError {
  return new AuthError('issuer_unavailable', {
    cause: because(`the key set of ${issuer} cannot be loaded`),
  })
}
