import { readScopes } from '../authorize/scopes.js'
import { AuthError, because } from '../errors.js'
import type { TrustedIssuer } from '../issuers/trusted-issuer.js'
import type { VerificationKey } from '../keys/verification-key.js'
import type { Claims, User } from '../presets/types.js'
import type { JwsAlgorithm } from './algorithms.js'
import { validateClaims } from './claims.js'
import { type DecodedJws, decodeJws, type JwsHeader, signedParts } from './decode.js'

/** A token that passed every check that cannot change later: signature, issuer, time window, claims. */
export interface VerifiedToken {
  token: string
  header: Readonly<JwsHeader>
  claims: Claims
  user: User
  issuer: string
  /** Epoch seconds. */
  expiresAt: number
}

/**
 * Verifies a bearer JWT: parse (refusing dangerous headers), pick the issuer by exact `iss` (unknown issuers
 * are refused before any fetch), pick the key by `kid` under the issuer's algorithm allowlist, check the
 * signature with node:crypto on the pre-imported key, then the claims, then map the user.
 * Hot path on a cache miss: synchronous (a result, or a thrown `AuthError`) whenever the key is held; a
 * promise only while a key that is not held yet is fetched.
 */
export function verifyToken(
  token: string,
  issuers: ReadonlyMap<string, TrustedIssuer>,
  headerCache?: Map<string, JwsHeader>,
): VerifiedToken | Promise<VerifiedToken> {
  const decoded = decodeJws(token, headerCache)
  const { header, payload } = decoded

  const iss = payload.iss
  if (typeof iss !== 'string')
    throw new AuthError('token_claims_invalid', { cause: because('iss is missing') })
  const issuer = issuers.get(iss)
  if (!issuer)
    throw new AuthError('token_issuer_unknown', { cause: because('iss is not a configured issuer') })

  const alg = header.alg as JwsAlgorithm
  if (!issuer.algorithms.has(alg)) {
    throw new AuthError('token_algorithm_not_allowed', {
      cause: because(`alg ${alg} is not allowed for this issuer`),
    })
  }

  const found = issuer.keys.resolveSigningKey(header.kid, alg)
  if (found instanceof Promise) return found.then((key) => verifyWithKey(token, decoded, issuer, iss, key))
  return verifyWithKey(token, decoded, issuer, iss, found)
}

/** Signature, then claims, then the user mapping, once the key is known. Hot path (cache miss). */
function verifyWithKey(
  token: string,
  decoded: DecodedJws,
  issuer: TrustedIssuer,
  iss: string,
  key: VerificationKey,
): VerifiedToken {
  const { header, payload } = decoded
  const alg = header.alg as JwsAlgorithm
  const { input, signature } = signedParts(decoded)
  if (!checkSignature(key, alg, input, signature)) {
    throw new AuthError('token_signature_invalid', { cause: because('signature does not verify') })
  }

  const expiresAt = validateClaims(header, payload, issuer, Date.now() / 1000)
  const user = issuer.preset.toUser(payload, iss, readScopes(payload))
  if (typeof user === 'string') throw new AuthError('token_claims_invalid', { cause: because(user) })
  return { token, header, claims: payload, user, issuer: iss, expiresAt }
}

/**
 * The one signature check every token goes through (and the Wycheproof vectors test): false for a key that
 * must not be used with `alg`, and for signatures node:crypto throws on (wrong length for the key, bad encoding).
 */
export function checkSignature(
  key: VerificationKey,
  alg: JwsAlgorithm,
  input: Buffer,
  signature: Buffer,
): boolean {
  const verifier = key.verifierFor(alg)
  if (!verifier) return false
  try {
    return verifier(input, signature)
  } catch {
    return false
  }
}
