import type { Socket } from 'node:net'
import type { AuthInput, HeaderBag } from '@portcullis/core'
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
  readonly method: string
  readonly #req: Request

  constructor(req: Request) {
    this.#req = req
    this.method = req.method
    this.headers = headersOf(req)
  }

  get ip(): string | undefined {
    return this.#req.ip
  }

  get protocol(): string {
    return protocolOf(this.#req)
  }

  get url(): string {
    return this.#req.originalUrl
  }

  get body(): string | Uint8Array | undefined {
    return rawBody(this.#req)
  }
}

type TrustProxy = (address: string | undefined, hop: number) => boolean

/** On a socket: the app's `trust proxy` function and what it said of that socket's peer. */
const PEER_TRUST = Symbol('portcullis: trust proxy verdict for this connection')

interface JudgedSocket extends Socket {
  [PEER_TRUST]?: { trust: TrustProxy; trusted: boolean }
}

/**
 * `req.protocol`, as Express works it out (the socket's own, or the first `X-Forwarded-Proto` value when the
 * app trusts the peer), with the trust verdict remembered per connection: Express parses the peer address and
 * runs the trust function on every read (several µs), yet a keep-alive connection's peer never changes. A new
 * `trust proxy` setting is a new function, so the verdict is taken again. Hot path (HTTPS check).
 */
function protocolOf(req: Request): string {
  const trust: unknown = req.app?.get('trust proxy fn')
  const socket = req.socket as JudgedSocket | undefined
  if (typeof trust !== 'function' || socket === undefined) return req.protocol
  let judged = socket[PEER_TRUST]
  if (judged?.trust !== trust) {
    judged = { trust: trust as TrustProxy, trusted: (trust as TrustProxy)(socket.remoteAddress, 0) }
    socket[PEER_TRUST] = judged
  }
  const own = (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  if (!judged.trusted) return own
  const forwarded = req.get('X-Forwarded-Proto') || own
  const comma = forwarded.indexOf(',')
  return (comma === -1 ? forwarded : forwarded.slice(0, comma)).trim()
}

/**
 * The request's headers as the app sees them (`req.headers`, which a middleware may have set), except that
 * Node keeps only the first of repeated Authorization headers there: then all of them go to core, which
 * refuses the ambiguity instead of silently taking the first. Repeats are counted in `rawHeaders`, without
 * building a second header object (`req.headersDistinct`). Hot path.
 */
function headersOf(req: Request): HeaderBag {
  const raw: readonly string[] = req.rawHeaders ?? []
  let count = 0
  for (let i = 0; i < raw.length; i += 2) if (isAuthorization(raw[i] as string)) count++
  if (count < 2) return req.headers
  const values: string[] = []
  for (let i = 0; i < raw.length; i += 2)
    if (isAuthorization(raw[i] as string)) values.push(raw[i + 1] as string)
  return { ...req.headers, authorization: values }
}

function isAuthorization(name: string): boolean {
  return name.length === 13 && (name === 'authorization' || name.toLowerCase() === 'authorization')
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
