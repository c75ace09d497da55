import {
  type AuthInput,
  type HeaderBag,
  headersKeepingRepeatedAuthorization,
  requestClientAddress,
  requestProperty,
  requestProtocol,
} from '@portcullis/core'
import type { Request } from 'express'

/**
 * Core's framework-neutral view of an Express request. `ip` and `protocol` come from Express, so they follow
 * the app's own `trust proxy` setting; `url` is the path and query as received (`req.originalUrl`, mount
 * prefixes included). The raw body goes along only when it is already in memory (see `rawBody`): reading
 * the stream here would take it from the app. Hot path: one small object, nothing parsed.
 */
export function toAuthInput(req: Request): AuthInput {
  return new ExpressAuthInput(req)
}

/**
 * `ip`, `protocol`, `url` and `body` are read from the request only when core asks (a failure to count, a
 * plain-HTTP check, a signed request): behind a proxy Express works `req.ip` out anew on each read
 * (X-Forwarded-For, trust checks).
 */
class ExpressAuthInput implements AuthInput {
  readonly headers: HeaderBag
  readonly #req: Request
  /** `req.headers`, read once: every read of `req` is a slow one (see core's `requestProperty`). */
  readonly #received: Request['headers']

  constructor(req: Request) {
    this.#req = req
    this.#received = requestProperty(req, 'headers') as Request['headers']
    this.headers = headersKeepingRepeatedAuthorization(
      this.#received,
      requestProperty(req, 'rawHeaders') as string[] | undefined,
    )
  }

  get method(): string {
    return this.#req.method
  }

  get ip(): string | undefined {
    return requestClientAddress(this.#req, this.#received)
  }

  get protocol(): string | undefined {
    return requestProtocol(this.#req, this.#received)
  }

  get url(): string {
    return this.#req.originalUrl
  }

  get body(): string | Uint8Array | undefined {
    return rawBody(this.#req)
  }
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
