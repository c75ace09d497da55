import { isAuthError } from '@portcullis/core'
import type { Request, Response, Router } from 'express'
import { decodeProtectedHeader } from 'jose'
import { isAdmin } from './admin-key.js'
import { field, sendOAuthError } from './http-errors.js'
import type { IssuerContext } from './issuer-context.js'

/** `POST /decode` (verify through @portcullis/core, then show the claims) and `POST /revoke`. */
export function mountVerificationRoutes(router: Router, ctx: IssuerContext): void {
  router.post('/decode', (req, res) => void decode(ctx, req, res))
  router.post(
    '/revoke',
    (req, res) =>
      void revoke(ctx, req, res).catch((error: unknown) => {
        console.error('revoke failed:', error)
        if (!res.headersSent)
          sendOAuthError(res, 503, 'temporarily_unavailable', 'the revocation could not be written')
      }),
  )
}

async function decode(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const token = field(req.body, 'token') ?? /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '')?.[1]
  if (!token) return sendOAuthError(res, 400, 'invalid_request', 'token is required')
  res.set('cache-control', 'no-store')
  try {
    // Exactly what every API does with this token: signature, claims, revocation.
    const result = await ctx.auth.authenticate({ headers: { authorization: `Bearer ${token}` }, ip: req.ip })
    res.json({ active: true, header: decodeProtectedHeader(token), claims: result.claims, user: result.user })
  } catch (error) {
    if (!isAuthError(error)) throw error
    res
      .status(error.status)
      .set(error.headers)
      .json({ active: false, ...error.toJSON() })
  }
}

/**
 * Like RFC 7009: whoever holds a token may revoke it (`{ token }`; a refresh token revokes its family).
 * Revoking every token of a user (`{ sub }`) or a project (`{ project_uuid }`) needs the admin key.
 */
async function revoke(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  res.set('cache-control', 'no-store')
  const token = field(req.body, 'token')
  const subject = field(req.body, 'sub')
  const projectUuid = field(req.body, 'project_uuid')
  if (token?.startsWith('rt.')) {
    const accessTokens = ctx.refreshTokens.revokeByToken(token)
    if (!accessTokens) return sendOAuthError(res, 400, 'invalid_token', 'unknown refresh token')
    await Promise.all(accessTokens.map(({ jti, exp }) => ctx.auth.revoke.token(jti, exp)))
    return void res.json({ revoked: 'refresh_token_family', access_tokens_revoked: accessTokens.length })
  }
  if (token) {
    let claims: { jti: string; exp: number }
    try {
      claims = await ctx.tokens.verifyOwn(token)
    } catch (error) {
      return sendOAuthError(
        res,
        400,
        'invalid_token',
        `not a live token of this issuer: ${(error as Error).message}`,
      )
    }
    await ctx.auth.revoke.token(claims.jti, claims.exp)
    return void res.json({
      revoked: 'token',
      jti: claims.jti,
      until: new Date(claims.exp * 1000).toISOString(),
    })
  }
  if (subject || projectUuid) {
    if (!isAdmin(req, ctx.adminKey)) {
      return sendOAuthError(res, 401, 'invalid_client', 'revoking a subject or a project needs X-Admin-Key')
    }
    if (subject) {
      await ctx.auth.revoke.subject(subject)
      return void res.json({ revoked: 'subject', sub: subject, before: new Date().toISOString() })
    }
    const project = ctx.projects.setEnabled(projectUuid as string, false)
    if (!project) return sendOAuthError(res, 404, 'invalid_request', 'no such project')
    await ctx.auth.revoke.project(project.uuid)
    return void res.json({ revoked: 'project', project_uuid: project.uuid })
  }
  sendOAuthError(res, 400, 'invalid_request', 'give token, sub or project_uuid')
}
