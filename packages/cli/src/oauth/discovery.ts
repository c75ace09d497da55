import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'
import { assertSecureUrl, fetchFromIssuer, readJsonObject } from './http.js'

/** What `portcullis login` needs to know about an authorization server. */
export interface AuthorizationServer {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  revocationEndpoint?: string
}

/**
 * Reads OpenID discovery (`/.well-known/openid-configuration`), else RFC 8414 metadata
 * (`/.well-known/oauth-authorization-server`). The document must name exactly the issuer asked for (mix-up
 * defence), both endpoints, and, when it lists PKCE methods, `S256`.
 */
export async function discoverAuthorizationServer(issuer: string): Promise<AuthorizationServer> {
  const base = assertSecureUrl(issuer, '--issuer')
  const path = base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '')
  const candidates = [
    `${base.origin}${path}/.well-known/openid-configuration`,
    `${base.origin}/.well-known/oauth-authorization-server${path}`,
  ]
  let document: Record<string, unknown> | undefined
  let tried = ''
  for (const url of candidates) {
    const response = await fetchFromIssuer(url, { headers: { accept: 'application/json' } })
    tried = `${url} (${response.status})`
    if (response.status === 404) continue
    if (!response.ok) throw CliError.unavailable('issuer_unavailable', `discovery failed: ${tried}`)
    document = await readJsonObject(response, url)
    break
  }
  if (!document) throw refused('login_unsupported', `no discovery document at ${candidates.join(' or ')}`)
  if (document.issuer !== issuer) {
    throw refused(
      'issuer_mismatch',
      `the discovery document names another issuer (${String(document.issuer)}), not ${issuer}`,
    )
  }
  const authorizationEndpoint = document.authorization_endpoint
  const tokenEndpoint = document.token_endpoint
  if (typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw refused('login_unsupported', `${issuer} publishes no authorization_endpoint and token_endpoint`)
  }
  const methods = document.code_challenge_methods_supported
  if (Array.isArray(methods) && !methods.includes('S256')) {
    throw refused('login_unsupported', `${issuer} does not support PKCE with S256`)
  }
  assertSecureUrl(authorizationEndpoint, 'authorization_endpoint')
  assertSecureUrl(tokenEndpoint, 'token_endpoint')
  const revocation = document.revocation_endpoint
  return {
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    ...(typeof revocation === 'string' && { revocationEndpoint: revocation }),
  }
}

function refused(code: string, message: string): CliError {
  return new CliError(code, EXIT_CODES.auth, message)
}
