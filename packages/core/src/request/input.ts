/** Header values as Node (`IncomingHttpHeaders`) or a Fetch `Headers` object give them. */
export type HeaderBag =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null }

/** A framework-neutral view of the request: what every adapter hands to `authenticate`. */
export interface AuthInput {
  headers: HeaderBag
  ip?: string
  method?: string
  url?: string
  /** `http` or `https` as the adapter saw it. */
  protocol?: string
  /** The raw request body, for signed requests in `strict` mode (which sign a hash of it). */
  body?: string | Uint8Array
}

/**
 * Reads one header by lower-case name. Repeated headers arrive as arrays; several values for a
 * credential header are ambiguous, so they are reported as such rather than picking one. Hot path.
 */
export function readHeader(headers: HeaderBag, name: string): string | undefined | typeof AMBIGUOUS {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(name)
    return value ?? undefined
  }
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name]
  if (value === undefined || typeof value === 'string') return value
  if (value.length === 1) return value[0]
  return value.length === 0 ? undefined : AMBIGUOUS
}

export const AMBIGUOUS: unique symbol = Symbol('ambiguous header')
