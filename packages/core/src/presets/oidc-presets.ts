import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js'
import { standardUser, stringClaim } from './standard-user.js'
import type { Preset } from './types.js'

/** Any OIDC/OAuth issuer: standard claims, every asymmetric algorithm. */
export const genericPreset: Preset = {
  name: 'generic',
  algorithms: ASYMMETRIC_ALGORITHMS,
  toUser: standardUser,
}

/**
 * Google ID tokens. The email is only the canonical id once Google says it is verified, so an unverified
 * address can never satisfy an email allowlist. `hd` (Workspace domain) becomes the tenant.
 */
export const googlePreset: Preset = {
  name: 'google',
  algorithms: ['RS256'],
  issuerFor: () => 'https://accounts.google.com',
  toUser(claims, issuer, scopes) {
    const user = standardUser(claims, issuer, scopes)
    if (typeof user === 'string') return user
    if (user.emailVerified !== true) {
      user.id = user.subject
    }
    const hd = stringClaim(claims, 'hd')
    if (hd !== undefined) user.tenant = hd
    return user
  },
}

/** Microsoft Entra ID (v2.0 endpoint): the token's `tid` must be the configured tenant. */
export const entraPreset: Preset = {
  name: 'entra',
  algorithms: ['RS256'],
  issuerFor: (config) =>
    config.tenantId ? `https://login.microsoftonline.com/${config.tenantId}/v2.0` : undefined,
  check(claims, config) {
    if (config.tenantId !== undefined && claims.tid !== config.tenantId)
      return 'tid is not the configured tenant'
    return undefined
  },
  toUser(claims, issuer, scopes) {
    const user = standardUser(claims, issuer, scopes)
    if (typeof user === 'string') return user
    // Entra's `email` is user-editable; the sign-in names are what the tenant controls.
    user.id =
      stringClaim(claims, 'preferred_username') ?? stringClaim(claims, 'upn') ?? user.email ?? user.subject
    const tid = stringClaim(claims, 'tid')
    if (tid !== undefined) user.tenant = tid
    return user
  },
}

/** Auth0, Okta and Duo: standard claims, RS256, organisation as tenant where present. */
function organisationPreset(name: 'auth0' | 'okta' | 'duo'): Preset {
  return {
    name,
    algorithms: ['RS256'],
    toUser(claims, issuer, scopes) {
      const user = standardUser(claims, issuer, scopes)
      if (typeof user === 'string') return user
      const org = stringClaim(claims, 'org_id')
      if (org !== undefined) user.tenant = org
      return user
    },
  }
}
export const auth0Preset = organisationPreset('auth0')
export const oktaPreset = organisationPreset('okta')
export const duoPreset = organisationPreset('duo')

/**
 * Amazon Cognito user pools. The issuer comes from region + pool id; `token_use` must be the configured kind;
 * access tokens carry no `aud`, so their `client_id` is checked against the audience instead.
 */
export const cognitoPreset: Preset = {
  name: 'cognito',
  algorithms: ['RS256'],
  issuerFor: (config) =>
    config.region && config.userPoolId
      ? `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`
      : undefined,
  checksAudience: (config) => (config.tokenUse ?? 'access') === 'access',
  check(claims, config, audiences) {
    const expected = config.tokenUse ?? 'access'
    if (claims.token_use !== expected) return `token_use must be ${expected}`
    if (expected === 'access' && !(typeof claims.client_id === 'string' && audiences.has(claims.client_id))) {
      return 'client_id is not an accepted audience'
    }
    return undefined
  },
  toUser(claims, issuer, scopes) {
    const user = standardUser(claims, issuer, scopes)
    if (typeof user === 'string') return user
    user.id =
      user.email ?? stringClaim(claims, 'username') ?? stringClaim(claims, 'cognito:username') ?? user.subject
    return user
  },
}
