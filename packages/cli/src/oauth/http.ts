import { CliError } from '../cli-error.js'

const TIMEOUT_MS = 10_000

/** Plain HTTP(S) is refused except to loopback, as OAuth 2.1 §1.5 asks of everything carrying tokens. */
export function assertSecureUrl(value: string, what: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw CliError.usage(`${what} is not a URL: ${value}`)
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw CliError.usage(`${what} must use https (plain http only on loopback): ${value}`)
  }
  return url
}

/** `fetch` with a timeout; a network failure is exit 4 (`issuer_unavailable`) naming the URL. */
export async function fetchFromIssuer(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : (error as Error).message
    throw CliError.unavailable('issuer_unavailable', `cannot reach ${url}: ${reason}`)
  }
}

/** The JSON object an issuer answered, or exit 4 when it answered something else. */
export async function readJsonObject(response: Response, url: string): Promise<Record<string, unknown>> {
  const text = await response.text()
  try {
    const value: unknown = JSON.parse(text)
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>
  } catch {}
  throw CliError.unavailable('issuer_unavailable', `${url} answered ${response.status} without a JSON object`)
}

/** Text from a remote party, made safe to print: no control characters, bounded length. */
export function printable(value: unknown, max = 300): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  return text.length > max ? `${text.slice(0, max)}…` : text
}
