import { AuthError, type AuthErrorCode, because } from '../errors.js'
import { normalizeTyp, type TrustedIssuer } from '../issuers/trusted-issuer.js'
import type { Claims } from '../presets/types.js'
import type { JwsHeader } from './decode.js'

/**
 * Checks the registered claims (RFC 7519 §4.1, RFC 8725 §3.8–3.11, RFC 9068, RFC 8707) against one issuer's
 * rules and returns the token's expiry in epoch seconds. Time is epoch seconds with the issuer's leeway.
 * Hot path (cache miss).
 */
export function validateClaims(
  header: JwsHeader,
  claims: Claims,
  issuer: TrustedIssuer,
  nowSec: number,
): number {
  const leeway = issuer.clockToleranceSec
  const exp = claims.exp
  if (exp === undefined) throw invalid('token_claims_invalid', 'exp is required')
  if (!isNumericDate(exp)) throw invalid('token_claims_invalid', 'exp is not a NumericDate')
  if (exp + leeway <= nowSec) throw invalid('token_expired', 'exp is in the past')

  const nbf = claims.nbf
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw invalid('token_claims_invalid', 'nbf is not a NumericDate')
    if (nbf - leeway > nowSec) throw invalid('token_not_yet_valid', 'nbf is in the future')
  }
  const iat = claims.iat
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw invalid('token_claims_invalid', 'iat is not a NumericDate')
    if (iat - leeway > nowSec) throw invalid('token_not_yet_valid', 'iat is in the future')
  }
  if (issuer.maxTokenAgeSec !== undefined) {
    if (iat === undefined) throw invalid('token_claims_invalid', 'iat is required to bound token age')
    if ((iat as number) + issuer.maxTokenAgeSec + leeway <= nowSec)
      throw invalid('token_expired', 'token is older than maxTokenAgeSec')
  }

  if (issuer.checkAudience && !audienceMatches(claims.aud, issuer.audiences)) {
    throw invalid('token_audience_invalid', 'aud names none of the accepted audiences')
  }
  if (issuer.resource !== undefined && !audienceMatches(claims.aud, new Set([issuer.resource]))) {
    throw invalid('token_audience_invalid', 'aud does not bind the token to this resource (RFC 8707)')
  }
  if (
    issuer.typ !== undefined &&
    (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== issuer.typ)
  ) {
    throw invalid('token_type_invalid', `typ must be ${issuer.typ}`)
  }
  if (issuer.tokenType !== undefined && claims.type !== issuer.tokenType) {
    throw invalid('token_type_invalid', `type claim must be ${issuer.tokenType}`)
  }
  if (claims.jti !== undefined && (typeof claims.jti !== 'string' || claims.jti.length === 0)) {
    throw invalid('token_claims_invalid', 'jti must be a non-empty string')
  }
  if (!issuer.preset.objectSubject && claims.sub !== undefined && typeof claims.sub !== 'string') {
    throw invalid('token_claims_invalid', 'sub must be a string')
  }
  for (const name of issuer.requiredClaims) {
    if (claims[name] === undefined || claims[name] === null)
      throw invalid('token_claims_invalid', `${name} is required`)
  }
  const presetProblem = issuer.preset.check?.(claims, issuer.config, issuer.audiences)
  if (presetProblem !== undefined) throw invalid('token_claims_invalid', presetProblem)
  if (issuer.claimsCheck) {
    const verdict = issuer.claimsCheck(claims)
    if (verdict === false || typeof verdict === 'string') {
      throw invalid('token_claims_invalid', typeof verdict === 'string' ? verdict : 'rejected by claimsCheck')
    }
  }
  return exp
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function audienceMatches(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud)
  if (!Array.isArray(aud)) return false
  for (const value of aud) if (typeof value === 'string' && accepted.has(value)) return true
  return false
}

function invalid(code: AuthErrorCode, reason: string): AuthError {
  return new AuthError(code, { cause: because(reason) })
}
