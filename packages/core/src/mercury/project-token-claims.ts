import { AuthError, type AuthErrorCode, because } from '../errors.js'
import type { ProjectIdentity } from '../projects/project.js'
import { isTenantId } from './tenant-key-sets.js'

export type ProjectTokenType = 'project' | 'platform' | 'service'

/** Which key set a token must verify against, read from claims that are not verified yet. */
export type ProjectTokenRoute = { type: 'project' | 'platform'; tenant: string } | { type: 'service' }

export interface ProjectTokenClaimsOptions {
  clockToleranceSec: number
  acceptedTypes: ReadonlySet<ProjectTokenType>
  /** Required `iss`, when set. */
  issuer?: string
  /** Accepted `aud` values, when set. */
  audiences?: ReadonlySet<string>
}

const TOKEN_ID = /^[A-Za-z0-9._~:-]{1,200}$/

/**
 * Picks the key set from the unverified payload: the `type`, and for project and platform tokens the tenant
 * (`tenant_id`, else `project_uuid`), which must be a UUID. Nothing here is trusted until the signature checks.
 */
export function routeProjectToken(
  payload: Record<string, unknown>,
  acceptedTypes: ReadonlySet<ProjectTokenType>,
): ProjectTokenRoute {
  const type = payload.type
  if (type !== 'project' && type !== 'platform' && type !== 'service') {
    throw invalid('token_type_invalid', 'type must be project, platform or service')
  }
  if (!acceptedTypes.has(type)) throw invalid('token_type_invalid', `${type} tokens are not accepted`)
  if (type === 'service') return { type }
  const tenant = tenantOf(payload)
  if (!isTenantId(tenant)) throw invalid('token_claims_invalid', 'tenant_id / project_uuid must be a UUID')
  return { type, tenant }
}

/**
 * Checks a verified project, platform or service token's claims and maps them to the identity the app
 * credential path also returns. Time is epoch seconds with leeway. Mercury's Redis state (secret version,
 * liveness) is checked by the verifier afterwards.
 */
export function validateProjectTokenClaims(
  payload: Record<string, unknown>,
  route: ProjectTokenRoute,
  options: ProjectTokenClaimsOptions,
  nowSec: number,
): ProjectIdentity {
  const leeway = options.clockToleranceSec
  const exp = payload.exp
  if (!isNumericDate(exp)) throw invalid('token_claims_invalid', 'exp is required')
  if (exp + leeway <= nowSec) throw invalid('token_expired', 'exp is in the past')
  if (payload.nbf !== undefined) {
    if (!isNumericDate(payload.nbf)) throw invalid('token_claims_invalid', 'nbf is not a NumericDate')
    if (payload.nbf - leeway > nowSec) throw invalid('token_not_yet_valid', 'nbf is in the future')
  }
  if (payload.iat !== undefined) {
    if (!isNumericDate(payload.iat)) throw invalid('token_claims_invalid', 'iat is not a NumericDate')
    if (payload.iat - leeway > nowSec) throw invalid('token_not_yet_valid', 'iat is in the future')
  }
  if (options.issuer !== undefined && payload.iss !== options.issuer) {
    throw invalid('token_issuer_unknown', 'iss is not the configured Mercury issuer')
  }
  if (options.audiences && !audienceMatches(payload.aud, options.audiences)) {
    throw invalid('token_audience_invalid', 'aud names none of the accepted audiences')
  }

  if (route.type === 'service') {
    const clientId = nonEmptyString(payload.client_id, 'client_id')
    const serviceName = nonEmptyString(payload.service_name, 'service_name')
    const jti = nonEmptyString(payload.jti, 'jti')
    return {
      tokenType: 'service',
      clientId,
      serviceName,
      tokenId: jti,
      scopes: stringList(payload.scope ?? payload.scopes, 'scope'),
      enabledServices: [],
      expiresAt: exp,
    }
  }

  const tokenId = payload.token_id
  if (typeof tokenId !== 'string' || !TOKEN_ID.test(tokenId)) {
    throw invalid('token_claims_invalid', 'token_id must be a short id')
  }
  if (route.type === 'project' && !Array.isArray(payload.enabled_services)) {
    throw invalid('token_claims_invalid', 'enabled_services must be an array')
  }
  const secretVersion = payload.secret_version ?? 0
  if (typeof secretVersion !== 'number' || !Number.isSafeInteger(secretVersion) || secretVersion < 0) {
    throw invalid('token_claims_invalid', 'secret_version must be a non-negative integer')
  }
  return {
    tokenType: route.type,
    projectUuid: route.tenant,
    tenant: route.tenant,
    tokenId,
    enabledServices: stringList(payload.enabled_services, 'enabled_services'),
    scopes: stringList(payload.scopes ?? payload.scope, 'scopes'),
    secretVersion,
    expiresAt: exp,
  }
}

function tenantOf(payload: Record<string, unknown>): unknown {
  const tenantId = payload.tenant_id
  return typeof tenantId === 'string' && tenantId !== '' ? tenantId : payload.project_uuid
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw invalid('token_claims_invalid', `${name} must be a non-empty string`)
  }
  return value
}

/** An array of strings, or a space-separated string; absent means none. */
function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return value.split(' ').filter(Boolean)
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[]
  throw invalid('token_claims_invalid', `${name} must be a list of strings`)
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function audienceMatches(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud)
  return Array.isArray(aud) && aud.some((value) => typeof value === 'string' && accepted.has(value))
}

function invalid(code: AuthErrorCode, reason: string): AuthError {
  return new AuthError(code, { cause: because(reason) })
}
