/** Limits for documents fetched from an issuer: small, fast, no redirects to elsewhere. */
export interface FetchLimits {
  timeoutMs: number
  maxBytes: number
}

export class FetchError extends Error {
  override readonly name = 'FetchError'
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** GETs a JSON object. Rejects with `FetchError` on timeout, non-2xx, oversize or non-JSON bodies. */
export async function fetchJsonObject(url: string, limits: FetchLimits): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(limits.timeoutMs),
    })
  } catch (cause) {
    throw new FetchError(`fetching ${url} failed`, undefined, { cause })
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    throw new FetchError(`${url} answered ${response.status}`, response.status)
  }
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new FetchError(`${url} sent ${declared} bytes, over the ${limits.maxBytes} limit`)
  }
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw new FetchError(`reading ${url} failed`, undefined, { cause })
  }
  if (text.length > limits.maxBytes) throw new FetchError(`${url} sent more than ${limits.maxBytes} bytes`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new FetchError(`${url} did not send JSON`, undefined, { cause })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FetchError(`${url} did not send a JSON object`)
  }
  return value as Record<string, unknown>
}
