import { BlockList, isIP } from 'node:net'
import { AMBIGUOUS, type AuthInput, readHeader } from '../request/input.js'

/** How many addresses' verdicts a `TrustedProxies` remembers before it starts over. */
const VERDICTS_LIMIT = 4096

/**
 * Which peers may speak for the client through `X-Forwarded-For` and `X-Forwarded-Proto` (exact IPs or CIDR
 * ranges). Asked on every request behind a proxy, about the same few addresses: `BlockList.check` builds a
 * `SocketAddress` each time (≈ 8 µs a request in a profile), so verdicts are remembered per address string,
 * in a bounded map that starts over when full (a flood of distinct addresses costs only the checks it
 * would have cost anyway). Hot path.
 */
export class TrustedProxies {
  readonly #list = new BlockList()
  readonly #verdicts = new Map<string, boolean>()

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined]
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
      if (bits === undefined) this.#list.addAddress(address, type)
      else this.#list.addSubnet(address, Number(bits), type)
    }
  }

  /** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6) is one of the trusted proxies. */
  trusts(address: string): boolean {
    let verdict = this.#verdicts.get(address)
    if (verdict === undefined) {
      const plain = address.startsWith('::ffff:') ? address.slice(7) : address
      const family = isIP(plain)
      verdict = family !== 0 && this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
      if (this.#verdicts.size >= VERDICTS_LIMIT) this.#verdicts.clear()
      this.#verdicts.set(address, verdict)
    }
    return verdict
  }
}

/** The configured `trustedProxies`, undefined when there are none. */
export function compileTrustedProxies(entries: readonly string[]): TrustedProxies | undefined {
  return entries.length === 0 ? undefined : new TrustedProxies(entries)
}

/**
 * The client's address: the connection's peer, unless that peer is a trusted proxy, in which case the
 * right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are the
 * client's own claims and can be forged).
 */
export function clientAddress(input: AuthInput, trusted: TrustedProxies | undefined): string | undefined {
  const peer = input.ip
  if (peer === undefined || trusted === undefined || !trusted.trusts(peer)) return peer
  const forwarded = readHeader(input.headers, 'x-forwarded-for')
  if (forwarded === undefined || forwarded === AMBIGUOUS) return peer
  const hops = forwarded.split(',')
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] as string).trim()
    if (isIP(hop) === 0) return peer
    if (!trusted.trusts(hop)) return hop
  }
  return peer
}

/**
 * Whether the credentials travelled over plain HTTP: the trusted proxy's `X-Forwarded-Proto` when the peer is
 * one, else the protocol the adapter saw. A loopback peer that sent no proxy headers never crossed a network,
 * so it does not count; nor does a request whose adapter could not tell the protocol. The peer address is
 * read only when it decides something (adapters may work it out lazily). Hot path.
 */
export function arrivedOverPlainHttp(input: AuthInput, trusted: TrustedProxies | undefined): boolean {
  const forwardedProto = readHeader(input.headers, 'x-forwarded-proto')
  if (trusted !== undefined && typeof forwardedProto === 'string') {
    const peer = input.ip
    if (peer !== undefined && trusted.trusts(peer)) {
      return (forwardedProto.split(',')[0] as string).trim().toLowerCase() === 'http'
    }
  }
  if (input.protocol?.toLowerCase() !== 'http') return false
  const proxied =
    forwardedProto !== undefined ||
    readHeader(input.headers, 'x-forwarded-for') !== undefined ||
    readHeader(input.headers, 'forwarded') !== undefined
  const peer = input.ip
  return !(peer !== undefined && isLoopback(peer) && !proxied)
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}
