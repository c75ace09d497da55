import { setTimeout as sleep } from 'node:timers/promises'
import type { CircuitBreaker } from './circuit-breaker.js'
import { mercurySignatureHeaders } from './request-signature.js'

/** One call to Mercury. */
export interface MercuryRequest {
  method: 'GET' | 'POST'
  /** Path relative to the base URL, starting with `/`; it is what the signature covers. */
  path: string
  headers?: Readonly<Record<string, string>>
  /** Sent as a JSON body (POST). */
  json?: unknown
}

/** Mercury's answer: any status that is not retried, with the JSON body when there is one. */
export interface MercuryResponse {
  status: number
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: unknown
}

export type MercuryFailureReason =
  | 'circuit_open'
  | 'timeout'
  | 'network'
  | 'server_error'
  | 'rate_limited'
  | 'oversize'
  | 'signature_refused'
  | 'invalid_response'

/** Mercury could not give a usable answer. Never carries request headers (they hold credentials). */
export class MercuryUnavailableError extends Error {
  override readonly name = 'MercuryUnavailableError'
  constructor(
    readonly reason: MercuryFailureReason,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export interface SignedFetchOptions {
  baseUrl: string
  /** `SIGNATURE_SHARED_SECRET`. */
  signingSecret: string
  /** Per attempt. */
  timeoutMs: number
  /** Extra attempts after a network error, timeout, 408, 429 or 5xx. */
  retries: number
  /** First backoff; doubles per attempt, with full jitter. */
  retryBackoffMs: number
  maxResponseBytes: number
  breaker?: CircuitBreaker
  /**
   * Whether an answer shows Mercury unusable for everyone (e.g. it refuses our signature), so it counts
   * against the circuit. Other answers, 4xx for bad credentials included, count as healthy.
   */
  isFailure?: (response: MercuryResponse) => boolean
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500

/**
 * Every call Portcullis makes to Mercury goes through here: signed with `X-Timestamp` / `X-Signature`
 * (fresh per attempt), bounded by a timeout and a response size, retried with backoff on transient faults,
 * and gated by the circuit breaker. Resolves with any non-retryable answer; rejects with
 * `MercuryUnavailableError` when no usable answer came.
 */
export async function signedMercuryFetch(
  request: MercuryRequest,
  options: SignedFetchOptions,
): Promise<MercuryResponse> {
  const breaker = options.breaker
  if (breaker && !breaker.tryAcquire()) {
    throw new MercuryUnavailableError('circuit_open', 'the Mercury circuit is open; not calling')
  }
  let outcome: MercuryResponse | MercuryUnavailableError
  try {
    outcome = await attempts(request, options)
  } catch (error) {
    outcome =
      error instanceof MercuryUnavailableError
        ? error
        : new MercuryUnavailableError('network', 'calling Mercury failed', undefined, { cause: error })
  }
  if (outcome instanceof MercuryUnavailableError) {
    breaker?.recordFailure()
    throw outcome
  }
  if (options.isFailure?.(outcome)) breaker?.recordFailure()
  else breaker?.recordSuccess()
  return outcome
}

async function attempts(request: MercuryRequest, options: SignedFetchOptions): Promise<MercuryResponse> {
  let last: MercuryUnavailableError | undefined
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await sleep(Math.random() * options.retryBackoffMs * 2 ** (attempt - 1))
    const result = await attemptOnce(request, options)
    if (!(result instanceof MercuryUnavailableError)) return result
    last = result
  }
  throw last as MercuryUnavailableError
}

async function attemptOnce(
  request: MercuryRequest,
  options: SignedFetchOptions,
): Promise<MercuryResponse | MercuryUnavailableError> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${request.path}`
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...request.headers,
    ...mercurySignatureHeaders(request.method, request.path, options.signingSecret),
  }
  let body: string | undefined
  if (request.json !== undefined) {
    body = JSON.stringify(request.json)
    headers['content-type'] = 'application/json'
  }
  let response: Response
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      ...(body !== undefined && { body }),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    })
  } catch (cause) {
    const timedOut = (cause as Error)?.name === 'TimeoutError'
    return new MercuryUnavailableError(
      timedOut ? 'timeout' : 'network',
      `${request.method} ${request.path} ${timedOut ? 'timed out' : 'failed'}`,
      undefined,
      { cause },
    )
  }
  if (RETRYABLE(response.status)) {
    await response.body?.cancel().catch(() => {})
    return new MercuryUnavailableError(
      response.status === 429 ? 'rate_limited' : 'server_error',
      `${request.method} ${request.path} answered ${response.status}`,
      response.status,
    )
  }
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > options.maxResponseBytes) {
    await response.body?.cancel().catch(() => {})
    return new MercuryUnavailableError('oversize', `${request.path} sent ${declared} bytes`, response.status)
  }
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    return new MercuryUnavailableError('network', `reading ${request.path} failed`, response.status, {
      cause,
    })
  }
  if (text.length > options.maxResponseBytes) {
    return new MercuryUnavailableError('oversize', `${request.path} sent too many bytes`, response.status)
  }
  return { status: response.status, body: parseJson(text) }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
