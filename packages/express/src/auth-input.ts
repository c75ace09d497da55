import type { AuthInput } from '@portcullis/core'
import type { Request } from 'express'

/**
 * Core's framework-neutral view of an Express request. `ip` and `protocol` come from Express, so they follow
 * the app's own `trust proxy` setting; `url` is the path and query as received (`req.originalUrl`, mount
 * prefixes included). The raw body goes along only when it is already in memory (see `rawBody`): reading
 * the stream here would take it from the app. Hot path: one small object, nothing parsed.
 */
export function toAuthInput(req: Request): AuthInput {
  // Node keeps only the first of repeated Authorization headers; the distinct view keeps them all, so core
  // can refuse the ambiguity instead of silently taking the first.
  const repeated = req.headersDistinct?.authorization
  const headers = repeated && repeated.length > 1 ? { ...req.headers, authorization: repeated } : req.headers
  const input: AuthInput = {
    headers,
    ip: req.ip,
    method: req.method,
    url: req.originalUrl,
    protocol: req.protocol,
  }
  const body = rawBody(req)
  if (body !== undefined) input.body = body
  return input
}

/**
 * The request body exactly as received, when something before the guard kept it: `req.rawBody` (a Buffer or
 * string a body parser's `verify` hook stored), else `req.body` when it is still raw (`express.raw()` gives a
 * Buffer, `express.text()` a string). A parsed body (an object from `express.json()`) cannot be turned back
 * into the bytes that were signed, so it is not passed.
 */
function rawBody(req: Request): string | Uint8Array | undefined {
  const kept = (req as { rawBody?: unknown }).rawBody
  if (typeof kept === 'string' || kept instanceof Uint8Array) return kept
  const body: unknown = req.body
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  return undefined
}
