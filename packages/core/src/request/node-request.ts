import type { Socket } from 'node:net'
import type { HeaderBag } from './input.js'

/**
 * Helpers for adapters that read a Node `IncomingMessage` (Express, NestJS on Express or Fastify): the small
 * pieces of `AuthInput` every one of them needs the same way. Hot path.
 */

/**
 * `request[name]`, read without an inline cache. Express (and NestJS on Express) change every request's
 * prototype, so V8 gives each request a hidden class of its own, and an ordinary `request.headers` misses its
 * inline cache every time: V8 then works out and caches a handler for a hidden class it will never see again
 * (≈ 1,800–2,500 instructions a read, counted with callgrind in the bench's Express app). `Reflect.get` does V8's
 * plain lookup instead, which walks the object and its prototypes without caching anything. Getters run as
 * usual. Hot path.
 */
export function requestProperty(request: object, name: PropertyKey): unknown {
  return Reflect.get(request, name)
}

/**
 * The request's headers as the app sees them, except that Node keeps only the first of repeated Authorization
 * headers there: then all of them go to core, which refuses the ambiguity instead of silently taking the
 * first. Repeats are counted in `rawHeaders`, without building a second header object.
 */
export function headersKeepingRepeatedAuthorization(
  headers: HeaderBag,
  rawHeaders: readonly string[] | undefined,
): HeaderBag {
  const raw = rawHeaders ?? []
  let count = 0
  for (let i = 0; i < raw.length; i += 2) if (isAuthorization(raw[i] as string)) count++
  if (count < 2) return headers
  const values: string[] = []
  for (let i = 0; i < raw.length; i += 2)
    if (isAuthorization(raw[i] as string)) values.push(raw[i + 1] as string)
  return { ...(headers as Record<string, string | readonly string[] | undefined>), authorization: values }
}

function isAuthorization(name: string): boolean {
  return (
    name.length === 13 &&
    (name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization')
  )
}

/** A proxy trust function as Express compiles `trust proxy`: whether the address `hop` steps away is trusted. */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean

/**
 * The trust function Express compiled from the app's `trust proxy` setting (`req.app`, NestJS on Express too);
 * undefined for any other request (Fastify, plain Node). Hot path (the HTTPS check).
 */
export function expressProxyTrust(request: object): ProxyTrust | undefined {
  const app = requestProperty(request, 'app') as { get?(setting: string): unknown } | undefined
  const trust = typeof app?.get === 'function' ? app.get('trust proxy fn') : undefined
  return typeof trust === 'function' ? (trust as ProxyTrust) : undefined
}

/** A framework's request over Node's: Express's or Fastify's, which say `ip` and `protocol` themselves. */
interface FrameworkRequest {
  readonly ip?: string
  readonly protocol?: string
}

/** Node's received headers: one value per name, arrays for the few that repeat. */
type ReceivedHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The client address: on Express (NestJS on Express too) as `req.ip` works it out, with the trust verdicts
 * remembered (`forwardedClientAddress`); elsewhere the framework's own `ip`. Hot path while anyone is blocked.
 */
export function requestClientAddress(
  request: FrameworkRequest,
  headers: ReceivedHeaders,
): string | undefined {
  const trust = expressProxyTrust(request)
  const socket = requestProperty(request, 'socket') as Socket | undefined
  if (trust === undefined || socket === undefined) return request.ip
  return forwardedClientAddress(socket.remoteAddress, headers['x-forwarded-for'], trust)
}

/**
 * The protocol: on Express (NestJS on Express too) as `req.protocol` works it out, with the trust verdict
 * remembered per connection (`forwardedProtocol`); elsewhere the framework's own `protocol`. Hot path (the
 * HTTPS check).
 */
export function requestProtocol(request: FrameworkRequest, headers: ReceivedHeaders): string | undefined {
  const trust = expressProxyTrust(request)
  const socket = requestProperty(request, 'socket') as Socket | undefined
  if (trust === undefined || socket === undefined) return request.protocol
  return forwardedProtocol(socket, headers['x-forwarded-proto'], trust)
}

/** On a socket: the trust function last asked and what it said of that socket's peer. */
const PEER_TRUST = Symbol('portcullis: trust verdict for this connection')

interface JudgedSocket extends Socket {
  [PEER_TRUST]?: { trust: ProxyTrust; trusted: boolean }
}

/**
 * The request's protocol as Express works it out (`req.protocol`): the socket's own, or the first
 * `X-Forwarded-Proto` value when `trust` trusts the peer. The verdict is remembered per connection: Express
 * parses the peer address and runs the trust function on every read (several µs), yet a keep-alive
 * connection's peer never changes. A different trust function (a new setting) is asked again.
 */
export function forwardedProtocol(
  socket: Socket,
  forwardedProto: string | readonly string[] | undefined,
  trust: ProxyTrust,
): string {
  const judgedSocket = socket as JudgedSocket
  let judged = judgedSocket[PEER_TRUST]
  if (judged?.trust !== trust) {
    judged = { trust, trusted: trust(socket.remoteAddress, 0) }
    judgedSocket[PEER_TRUST] = judged
  }
  const own = (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  const first = typeof forwardedProto === 'string' ? forwardedProto : forwardedProto?.[0]
  if (!judged.trusted || !first) return own
  const comma = first.indexOf(',')
  return (comma === -1 ? first : first.slice(0, comma)).trim()
}

/** Trust verdicts by hop (index: proxy-addr's hop number), then address; bounded, started over when full. */
const hopVerdicts = new WeakMap<ProxyTrust, Map<string, boolean>[]>()
const VERDICTS_PER_HOP = 4096
/** Hops further than this are asked every time (real chains are one or two proxies long). */
const REMEMBERED_HOPS = 8

/** `trust(address, hop)`, remembered: Express's compiled trust functions parse the address on every call. */
function trusts(trust: ProxyTrust, address: string | undefined, hop: number): boolean {
  if (address === undefined || hop >= REMEMBERED_HOPS) return trust(address, hop)
  let byHop = hopVerdicts.get(trust)
  if (byHop === undefined) {
    byHop = []
    hopVerdicts.set(trust, byHop)
  }
  let seen = byHop[hop]
  if (seen === undefined) {
    seen = new Map()
    byHop[hop] = seen
  }
  let verdict = seen.get(address)
  if (verdict === undefined) {
    verdict = trust(address, hop)
    if (seen.size >= VERDICTS_PER_HOP) seen.clear()
    seen.set(address, verdict)
  }
  return verdict
}

/**
 * The client address as Express works it out (`req.ip`, by proxy-addr): from the connection's peer towards
 * the left of `X-Forwarded-For`, the first address `trust` does not trust, else the left-most one. Express
 * parses every address and runs the trust function anew on each read (2.5–10 µs measured); here verdicts are
 * remembered per trust function, hop and address (Express's own trust functions depend on nothing else), and
 * the header is split only as far as needed. Read on every request while any client is blocked for failed
 * attempts, which under attack is always. Hot path.
 */
export function forwardedClientAddress(
  peer: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trust: ProxyTrust,
): string | undefined {
  const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.join(',')
  if (!header) return peer
  if (!trusts(trust, peer, 0)) return peer
  // proxy-addr's `forwarded` parse: entries separated by commas, spaces around them dropped, right to left.
  let hop = 0
  let address: string | undefined
  let end = header.length
  let start = end
  for (let i = header.length - 1; i >= -1; i--) {
    const code = i < 0 ? 0x2c : header.charCodeAt(i)
    if (code === 0x20) {
      if (start === end) start = end = i
    } else if (code === 0x2c) {
      if (start !== end) {
        if (address !== undefined && !trusts(trust, address, hop)) return address
        address = header.substring(start, end)
        hop++
      }
      start = end = i
    } else start = i
  }
  return address ?? peer
}
