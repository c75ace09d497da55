import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { AuthError, because } from '../errors.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from '../request/input.js'
import type { SharedStore } from '../store/shared-store.js'

/** The parts of a request a signature covers. `url` is the request target: path and query as received. */
export interface SignedRequestInput {
  method: string
  url: string
  headers: HeaderBag
  /** The raw body, needed in `strict` mode (absent counts as empty). */
  body?: string | Uint8Array
}

export interface SignedRequestOptions {
  /** `SIGNATURE_SHARED_SECRET`. */
  signingSecret: string
  /**
   * `wazobia`: hex HMAC-SHA256 over `METHOD + path + ?query + timestamp` (query only when present), as
   * Wazobia's HMAC middleware checks. `strict`: the same with the hex SHA-256 of the raw body appended.
   */
  mode: 'wazobia' | 'strict'
  /** Accepted clock difference either way, in seconds. Default 300. */
  windowSec?: number
  /**
   * Remember each signature for the window and refuse it a second time (needs `store`). Default: on in
   * `strict`; off in `wazobia`, where two identical requests in the same second carry the same signature.
   */
  replayProtection?: boolean
  store?: SharedStore
  /** Exact paths, or prefixes written `/prefix/*`, that need no signature. */
  exemptPaths?: readonly string[]
  /** Default `x-timestamp` (Unix seconds). */
  timestampHeader?: string
  /** Default `x-signature`. */
  signatureHeader?: string
}

export type SignedRequestVerifier = (request: SignedRequestInput) => Promise<void>

/** Resolves the options once and returns the per-request check. */
export function createSignedRequestVerifier(options: SignedRequestOptions): SignedRequestVerifier {
  if (!options.signingSecret) throw new TypeError('signed requests need the signing secret')
  const windowSec = options.windowSec ?? 300
  const replayProtection = options.replayProtection ?? options.mode === 'strict'
  const store = options.store
  if (replayProtection && !store) throw new TypeError('replay protection needs a SharedStore')
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const path of options.exemptPaths ?? []) {
    if (path.endsWith('/*')) prefixes.push(path.slice(0, -1))
    else exact.add(path)
  }
  const timestampHeader = options.timestampHeader ?? 'x-timestamp'
  const signatureHeader = options.signatureHeader ?? 'x-signature'

  return async (request) => {
    const { path, query } = splitTarget(request.url)
    if (isExempt(path, exact, prefixes)) return
    const timestamp = readHeader(request.headers, timestampHeader)
    const signature = readHeader(request.headers, signatureHeader)
    if (timestamp === undefined || signature === undefined) throw refused('the request is not signed')
    if (timestamp === AMBIGUOUS || signature === AMBIGUOUS) {
      throw new AuthError('invalid_request', { cause: because('repeated signature headers') })
    }
    if (!/^\d{1,12}$/.test(timestamp)) throw refused('x-timestamp is not Unix seconds')
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > windowSec) {
      throw refused('the signature is outside the time window', 'The request signature expired.')
    }
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) throw refused('x-signature is not a hex HMAC-SHA256')
    const expected = createHmac('sha256', options.signingSecret)
      .update(signedPayload(request.method, path, query, timestamp, options.mode, request.body))
      .digest()
    // Both are 32 bytes here (checked above), so the comparison is constant time and cannot throw.
    if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected))
      throw refused('the signature does not match')
    if (replayProtection) {
      let first: boolean
      try {
        first = await (store as SharedStore).setIfAbsent(
          `signed-request:${signature.toLowerCase()}`,
          '1',
          2 * windowSec * 1000,
        )
      } catch (cause) {
        throw new AuthError('auth_unavailable', { cause })
      }
      if (!first) throw refused('the signature was already used (replay)')
    }
  }
}

/** Checks a signed request; see `createSignedRequestVerifier` (which resolves the options once). */
export function verifySignedRequest(
  request: SignedRequestInput,
  options: SignedRequestOptions,
): Promise<void> {
  return createSignedRequestVerifier(options)(request)
}

/** The headers a client sends: for tests, demos and service-to-service callers. */
export function signRequest(
  request: Omit<SignedRequestInput, 'headers'>,
  options: { signingSecret: string; mode: 'wazobia' | 'strict'; timestampSec?: number },
): { 'x-timestamp': string; 'x-signature': string } {
  const timestamp = String(options.timestampSec ?? Math.floor(Date.now() / 1000))
  const { path, query } = splitTarget(request.url)
  const signature = createHmac('sha256', options.signingSecret)
    .update(signedPayload(request.method, path, query, timestamp, options.mode, request.body))
    .digest('hex')
  return { 'x-timestamp': timestamp, 'x-signature': signature }
}

function signedPayload(
  method: string,
  path: string,
  query: string,
  timestamp: string,
  mode: 'wazobia' | 'strict',
  body: string | Uint8Array | undefined,
): string {
  const base = `${method.toUpperCase()}${path}${query ? `?${query}` : ''}${timestamp}`
  if (mode === 'wazobia') return base
  return (
    base +
    createHash('sha256')
      .update(body ?? '')
      .digest('hex')
  )
}

/** Dot segments (plain or percent-encoded) never make a path exempt: `/public/../admin` must be signed. */
function isExempt(path: string, exact: ReadonlySet<string>, prefixes: readonly string[]): boolean {
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) return false
  return exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix))
}

/** Path and raw query of a request target (`/a/b?x=1`, or an absolute URL), exactly as received. */
function splitTarget(url: string): { path: string; query: string } {
  let target = url
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target)
  if (scheme) target = target.slice(scheme[0].length) || '/'
  const hash = target.indexOf('#')
  if (hash !== -1) target = target.slice(0, hash)
  const question = target.indexOf('?')
  return question === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, question), query: target.slice(question + 1) }
}

function refused(reason: string, message = 'The request signature is invalid.'): AuthError {
  return new AuthError('request_signature_invalid', { message, cause: because(reason) })
}
