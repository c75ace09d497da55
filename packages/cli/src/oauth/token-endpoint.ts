import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'
import { fetchFromIssuer, printable, readJsonObject } from './http.js'

/** RFC 6749 §5.1 access token response, as far as the CLI uses it. */
export interface TokenResponse {
  accessToken: string
  refreshToken?: string
  tokenType: string
  /** Epoch seconds; from `expires_in`, else the token's own `exp`, else unknown. */
  expiresAt?: number
  scope?: string
}

/** POSTs a form to the token endpoint (public client: `client_id`, no secret) and reads the tokens. */
export async function requestTokens(
  tokenEndpoint: string,
  form: Record<string, string>,
): Promise<TokenResponse> {
  const response = await fetchFromIssuer(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form),
  })
  if (response.status >= 500) {
    throw CliError.unavailable('issuer_unavailable', `the token endpoint answered ${response.status}`)
  }
  const body = await readJsonObject(response, tokenEndpoint)
  if (!response.ok) {
    const error = typeof body.error === 'string' ? body.error : 'invalid_response'
    const description =
      typeof body.error_description === 'string' ? `: ${printable(body.error_description)}` : ''
    throw new CliError(
      printable(error, 64),
      EXIT_CODES.auth,
      `the token endpoint refused: ${printable(error, 64)}${description}`,
    )
  }
  const accessToken = body.access_token
  const tokenType = typeof body.token_type === 'string' ? body.token_type : ''
  if (typeof accessToken !== 'string' || accessToken === '' || tokenType.toLowerCase() !== 'bearer') {
    throw new CliError(
      'invalid_response',
      EXIT_CODES.auth,
      'the token endpoint answered without a Bearer access_token',
    )
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined
  const expiresAt =
    expiresIn !== undefined ? Math.floor(Date.now() / 1000) + expiresIn : expiryOf(accessToken)
  return {
    accessToken,
    tokenType: 'Bearer',
    ...(typeof body.refresh_token === 'string' && { refreshToken: body.refresh_token }),
    ...(expiresAt !== undefined && { expiresAt }),
    ...(typeof body.scope === 'string' && { scope: body.scope }),
  }
}

/** The `exp` of a JWT access token, read without verification (only to know when to refresh). */
function expiryOf(token: string): number | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
    return typeof claims.exp === 'number' ? claims.exp : undefined
  } catch {
    return undefined
  }
}
