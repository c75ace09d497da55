import { createHmac } from 'node:crypto'

/**
 * Wazobia's outbound request signature, as Mercury checks it: lowercase hex HMAC-SHA256, keyed with
 * `SIGNATURE_SHARED_SECRET`, over `METHOD + path + timestamp` (e.g. `GET/auth1712345678901`), the
 * timestamp in Unix milliseconds. `path` is the request path relative to the Mercury base URL.
 */
export function mercurySignature(method: string, path: string, timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${path}${timestampMs}`).digest('hex')
}

/** The `X-Timestamp` / `X-Signature` pair for one outbound call. */
export function mercurySignatureHeaders(
  method: string,
  path: string,
  secret: string,
  now = Date.now(),
): { 'x-timestamp': string; 'x-signature': string } {
  return { 'x-timestamp': String(now), 'x-signature': mercurySignature(method, path, now, secret) }
}
