/**
 * Every Redis key and channel Portcullis uses, relative to the configured prefix (default `portcullis:`).
 * Documented in the README so operators can write revocations with redis-cli:
 *
 *   SET portcullis:revoked:jti:<jti> 1 PXAT <token exp in ms>      then  PUBLISH portcullis:revocations jti:<jti>
 *   SET portcullis:revoked:sub:<subject> <cut-off epoch ms> PX <retention ms>
 *   SET portcullis:revoked:project:<project id> 1
 *
 * (With keyspace notifications enabled the PUBLISH is optional.) No key groups several values, so every
 * command touches one key and the layout works unchanged on Redis Cluster.
 */
export const REVOKED = 'revoked:'
export type RevocationKind = 'jti' | 'sub' | 'project'
export const REVOCATION_KINDS: readonly RevocationKind[] = ['jti', 'sub', 'project']

export function revocationKey(kind: RevocationKind, id: string): string {
  return `${REVOKED}${kind}:${id}`
}

/** `jti:<id>` → { kind, id }; anything else → undefined (messages on the channel are untrusted input). */
export function parseRevocationRef(ref: string): { kind: RevocationKind; id: string } | undefined {
  const colon = ref.indexOf(':')
  if (colon <= 0) return undefined
  const kind = ref.slice(0, colon) as RevocationKind
  const id = ref.slice(colon + 1)
  return REVOCATION_KINDS.includes(kind) && id.length > 0 ? { kind, id } : undefined
}

export const REVOCATION_CHANNEL = 'revocations'
export const REVOCATION_VERSION = 'revocations:version'
export const JWKS_DOCUMENT = 'jwks:'
export const JWKS_LOCK = 'jwks-lock:'
export const TOKEN_CACHE = 'token:'
/** Mercury's validated-token cache (`redis.tokenCache.layout: 'mercury'`): unprefixed, first 32 hex of SHA-256. */
export const MERCURY_VALIDATED_TOKEN = 'validated_token:'
