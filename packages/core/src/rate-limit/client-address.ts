import { BlockList, isIP } from 'node:net'
import { AMBIGUOUS, type AuthInput, readHeader } from '../request/input.js'

/** Which peers may speak for the client through `X-Forwarded-For` (exact IPs or CIDR ranges). */
export function compileTrustedProxies(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined
  const list = new BlockList()
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined]
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(bits), type)
  }
  return list
}

/**
 * The client's address: the connection's peer, unless that peer is a trusted proxy, in which case the
 * right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are the
 * client's own claims and can be forged).
 */
export function clientAddress(input: AuthInput, trusted: BlockList | undefined): string | undefined {
  const peer = input.ip
  if (peer === undefined || trusted === undefined || !isTrusted(trusted, peer)) return peer
  const forwarded = readHeader(input.headers, 'x-forwarded-for')
  if (forwarded === undefined || forwarded === AMBIGUOUS) return peer
  const hops = forwarded.split(',')
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] as string).trim()
    if (isIP(hop) === 0) return peer
    if (!isTrusted(trusted, hop)) return hop
  }
  return peer
}

/**
 * Whether the credentials travelled over plain HTTP: the trusted proxy's `X-Forwarded-Proto` when the peer is
 * one, else the protocol the adapter saw. A loopback peer that sent no proxy headers never crossed a network,
 * so it does not count; nor does a request whose adapter could not tell the protocol. The peer address is
 * read only when it decides something (adapters may work it out lazily). Hot path.
 */
export function arrivedOverPlainHttp(input: AuthInput, trusted: BlockList | undefined): boolean {
  const forwardedProto = readHeader(input.headers, 'x-forwarded-proto')
  if (trusted !== undefined && typeof forwardedProto === 'string') {
    const peer = input.ip
    if (peer !== undefined && isTrusted(trusted, peer)) {
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

function isTrusted(list: BlockList, address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address
  const type = isIP(plain) === 6 ? 'ipv6' : 'ipv4'
  return isIP(plain) !== 0 && list.check(plain, type)
}
