import type { Request, Response, Router } from 'express'
import type { MintedToken, TokenSubject } from './access-tokens.js'
import { verifierMatches } from './authorization-codes.js'
import { type ApiKeyConfig, parseApiKeyConfig } from './claims-config.js'
import { ClaimConfigError, DynamicClaimError, resolveClaims } from './dynamic-claims.js'
import { field, sendOAuthError } from './http-errors.js'
import type { IssuerContext } from './issuer-context.js'
import { grantScopes } from './scopes.js'
import type { DemoUser } from './users.js'

const API_KEY_GRANTS = new Set(['api_key', 'urn:portcullis:grant-type:api-key'])

/** `POST /token` (password, authorization_code, API key, refresh_token grants) and `POST /refresh`. */
export function mountTokenRoutes(router: Router, ctx: IssuerContext): void {
  router.post('/token', (req, res) => {
    const grant =
      field(req.body, 'grant_type') ??
      (field(req.body, 'api_key') || req.get('x-api-key') ? 'api_key' : 'password')
    if (grant === 'password') return void passwordGrant(ctx, req, res).catch(internalError(res))
    if (API_KEY_GRANTS.has(grant)) return void apiKeyGrant(ctx, req, res).catch(internalError(res))
    if (grant === 'refresh_token') return void refreshGrant(ctx, req, res).catch(internalError(res))
    if (grant === 'authorization_code')
      return void authorizationCodeGrant(ctx, req, res).catch(internalError(res))
    sendOAuthError(
      res,
      400,
      'unsupported_grant_type',
      `grant_type ${grant} is not supported (password, authorization_code, api_key, refresh_token)`,
    )
  })
  router.post('/refresh', (req, res) => void refreshGrant(ctx, req, res).catch(internalError(res)))
}

async function passwordGrant(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const username = field(req.body, 'username')
  const password = field(req.body, 'password')
  if (!username || !password) {
    return sendOAuthError(res, 400, 'invalid_request', 'username and password are required')
  }
  if (req.body?.api_key_config !== undefined) {
    return sendOAuthError(res, 400, 'invalid_request', 'api_key_config applies to the api_key grant only')
  }
  const wait = ctx.loginBrake.retryAfterSec(username)
  if (wait > 0) {
    return sendOAuthError(res, 429, 'slow_down', 'too many wrong passwords for this user; try again later', {
      'retry-after': String(wait),
    })
  }
  let user: DemoUser | undefined
  for (const verifier of ctx.passwordVerifiers) {
    user = await verifier.verify(username, password)
    if (user) break
  }
  if (!user) {
    ctx.loginBrake.recordFailure(username)
    return sendOAuthError(res, 401, 'invalid_grant', 'the username or password is wrong')
  }
  ctx.loginBrake.reset(username)
  const scopes = grantScopes(field(req.body, 'scope'), user.scopes)
  if (!scopes.ok)
    return sendOAuthError(res, 400, 'invalid_scope', `not granted to this user: ${scopes.refused.join(' ')}`)
  const minted = await ctx.tokens.mint({
    subject: subjectOf(user),
    projectUuid: user.projectUuid,
    scopes: scopes.scopes,
  })
  const refresh = ctx.refreshTokens.issue({
    userUuid: user.uuid,
    scopes: scopes.scopes,
    projectUuid: user.projectUuid,
  })
  ctx.refreshTokens.recordAccessToken(refresh.familyId, minted.jti, minted.exp)
  sendTokens(ctx, req, res, minted, scopes.scopes, refresh.token)
}

/** OAuth 2.1 §4.1.3: the code, bound to its client, redirect URI and PKCE challenge, for tokens. */
async function authorizationCodeGrant(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const code = field(req.body, 'code')
  const redirectUri = field(req.body, 'redirect_uri')
  const clientId = field(req.body, 'client_id')
  const verifier = field(req.body, 'code_verifier')
  if (!code || !redirectUri || !clientId || !verifier) {
    return sendOAuthError(
      res,
      400,
      'invalid_request',
      'code, redirect_uri, client_id and code_verifier are required',
    )
  }
  const outcome = ctx.authorizationCodes.redeem(code)
  if (!outcome.ok) {
    if (outcome.reason === 'reused' && outcome.issued) {
      // RFC 6749 §4.1.2: a code presented twice was copied; what it yielded stops working.
      const { refreshFamilyId, jti, exp } = outcome.issued
      const accessTokens = ctx.refreshTokens.revokeFamily(refreshFamilyId)
      await Promise.all(
        [{ jti, exp }, ...accessTokens].map((token) => ctx.auth.revoke.token(token.jti, token.exp)),
      )
    }
    return sendOAuthError(res, 400, 'invalid_grant', `the authorization code is ${outcome.reason}`)
  }
  const { grant } = outcome
  if (grant.clientId !== clientId || grant.redirectUri !== redirectUri)
    return sendOAuthError(res, 400, 'invalid_grant', 'the code was issued to another client or redirect_uri')
  if (!verifierMatches(verifier, grant.codeChallenge))
    return sendOAuthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge')
  const user = ctx.users.byUuid(grant.userUuid)
  if (!user) return sendOAuthError(res, 400, 'invalid_grant', 'the user no longer exists')
  const minted = await ctx.tokens.mint({
    subject: subjectOf(user),
    projectUuid: grant.projectUuid,
    scopes: grant.scopes,
  })
  const refresh = ctx.refreshTokens.issue({
    userUuid: user.uuid,
    scopes: grant.scopes,
    projectUuid: grant.projectUuid,
  })
  ctx.refreshTokens.recordAccessToken(refresh.familyId, minted.jti, minted.exp)
  ctx.authorizationCodes.recordIssued(outcome.codeId, {
    refreshFamilyId: refresh.familyId,
    jti: minted.jti,
    exp: minted.exp,
  })
  sendTokens(ctx, req, res, minted, grant.scopes, refresh.token)
}

async function apiKeyGrant(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const presented = field(req.body, 'api_key') ?? req.get('x-api-key')
  if (!presented)
    return sendOAuthError(res, 400, 'invalid_request', 'api_key (or an X-API-Key header) is required')
  const key = ctx.apiKeys.verify(presented)
  if (!key) return sendOAuthError(res, 401, 'invalid_grant', 'the API key is not valid')
  const user = ctx.users.byUuid(key.userUuid)
  if (!user) return sendOAuthError(res, 401, 'invalid_grant', 'the API key belongs to no known user')
  const scopes = grantScopes(field(req.body, 'scope'), key.scopes)
  if (!scopes.ok)
    return sendOAuthError(res, 400, 'invalid_scope', `not granted to this key: ${scopes.refused.join(' ')}`)

  // An inline configuration replaces the key's file for this request (it takes precedence).
  const inline = req.body?.api_key_config
  let config: ApiKeyConfig
  try {
    config = inline === undefined ? key.config : parseApiKeyConfig(inline, 'api_key_config')
  } catch (error) {
    return sendOAuthError(res, 400, 'invalid_request', (error as Error).message)
  }
  let extraClaims: Record<string, unknown>
  try {
    extraClaims = await resolveClaims(
      config,
      {
        userId: user.uuid,
        email: user.email,
        apiKeyId: key.id,
        projectUuid: user.projectUuid,
        issuer: ctx.url,
      },
      {
        functions: ctx.claimFunctions,
        allowedOrigins: inline === undefined ? 'any' : ctx.inlineClaimOrigins,
      },
    )
  } catch (error) {
    if (error instanceof ClaimConfigError) return sendOAuthError(res, 400, 'invalid_request', error.message)
    if (error instanceof DynamicClaimError)
      return sendOAuthError(res, 502, 'dynamic_claim_failed', error.message)
    throw error
  }
  const minted = await ctx.tokens.mint({
    subject: subjectOf(user),
    projectUuid: user.projectUuid,
    scopes: scopes.scopes,
    extraClaims: { ...extraClaims, api_key_id: key.id },
  })
  sendTokens(ctx, req, res, minted, scopes.scopes)
}

async function refreshGrant(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const presented = field(req.body, 'refresh_token')
  if (!presented) return sendOAuthError(res, 400, 'invalid_request', 'refresh_token is required')
  const outcome = ctx.refreshTokens.rotate(presented)
  if (!outcome.ok) {
    if (outcome.reason === 'reused') {
      // A used refresh token came back: someone holds a copy. Everything of that family stops working.
      await Promise.all(outcome.revokedAccessTokens.map(({ jti, exp }) => ctx.auth.revoke.token(jti, exp)))
      return sendOAuthError(
        res,
        400,
        'invalid_grant',
        `refresh token reuse detected: the token family is revoked (${outcome.revokedAccessTokens.length} access token(s) revoked)`,
      )
    }
    return sendOAuthError(res, 400, 'invalid_grant', `the refresh token is ${outcome.reason}`)
  }
  const user = ctx.users.byUuid(outcome.grant.userUuid)
  if (!user) return sendOAuthError(res, 400, 'invalid_grant', 'the user no longer exists')
  const scopes = outcome.grant.scopes.filter((scope) => user.scopes.includes(scope))
  const minted = await ctx.tokens.mint({
    subject: subjectOf(user),
    projectUuid: outcome.grant.projectUuid,
    scopes,
  })
  const next = ctx.refreshTokens.issue({ ...outcome.grant, scopes }, outcome.familyId)
  ctx.refreshTokens.recordAccessToken(outcome.familyId, minted.jti, minted.exp)
  sendTokens(ctx, req, res, minted, scopes, next.token)
}

function sendTokens(
  ctx: IssuerContext,
  req: Request,
  res: Response,
  minted: MintedToken,
  scopes: readonly string[],
  refreshToken?: string,
): void {
  res.set('cache-control', 'no-store')
  // `Accept: text/plain` gives the bare access token, for `TOKEN=$(curl ...)` in a shell.
  if (/^\s*text\/plain\b/i.test(req.get('accept') ?? '')) {
    res.type('text/plain').send(minted.token)
    return
  }
  res.json({
    access_token: minted.token,
    token_type: 'Bearer',
    expires_in: ctx.tokens.ttlSec,
    scope: scopes.join(' '),
    ...(refreshToken !== undefined && { refresh_token: refreshToken }),
  })
}

function subjectOf(user: DemoUser): TokenSubject {
  return { uuid: user.uuid, email: user.email, name: user.name }
}

function internalError(res: Response) {
  return (error: unknown) => {
    console.error('issuer error:', error)
    if (!res.headersSent) sendOAuthError(res, 500, 'server_error', 'the issuer failed; see its log')
  }
}
