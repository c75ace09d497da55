import type { Request, Response, Router } from 'express'
import { isS256Challenge, type PendingAuthorization } from './authorization-codes.js'
import { field } from './http-errors.js'
import type { IssuerContext } from './issuer-context.js'
import { grantScopes } from './scopes.js'
import type { DemoUser } from './users.js'

/**
 * `GET /authorize` and `POST /authorize`: the OAuth 2.1 authorization code flow with PKCE (S256 only) for
 * public clients on a loopback redirect (RFC 8252 §7.3, any port), such as `portcullis login`. The sign-in
 * page is a plain form, so a test can drive it with `fetch` as a browser would.
 */
export function mountAuthorizeRoutes(router: Router, ctx: IssuerContext): void {
  router.get('/authorize', (req, res) => startAuthorization(ctx, req, res))
  router.post('/authorize', (req, res) => void signIn(ctx, req, res).catch(internalError(res)))
}

function startAuthorization(ctx: IssuerContext, req: Request, res: Response) {
  const query = req.query as Record<string, unknown>
  const clientId = field(query, 'client_id')
  const redirectUri = field(query, 'redirect_uri')
  // Until the client and its redirect URI are known good, errors are shown here, never sent anywhere.
  if (!clientId || !ctx.publicClients.has(clientId))
    return sendPage(res, 400, errorPage('Unknown client', 'client_id names no client registered here.'))
  if (!redirectUri || !isLoopbackRedirect(redirectUri)) {
    return sendPage(
      res,
      400,
      errorPage('Bad redirect_uri', 'Public clients redirect to http://127.0.0.1, [::1] or localhost only.'),
    )
  }
  const state = field(query, 'state')
  const fail = (error: string, description: string) =>
    redirectWith(res, redirectUri, { error, error_description: description, state, iss: ctx.url })
  if (field(query, 'response_type') !== 'code')
    return fail('unsupported_response_type', 'only response_type=code is supported')
  const codeChallenge = field(query, 'code_challenge')
  if (!codeChallenge || !isS256Challenge(codeChallenge))
    return fail('invalid_request', 'code_challenge (PKCE, S256) is required')
  if (field(query, 'code_challenge_method') !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256')

  const request: PendingAuthorization = {
    clientId,
    redirectUri,
    state,
    codeChallenge,
    scope: field(query, 'scope'),
    loginHint: field(query, 'login_hint'),
  }
  sendPage(res, 200, loginPage(ctx.authorizationCodes.begin(request), request))
}

async function signIn(ctx: IssuerContext, req: Request, res: Response): Promise<void> {
  const requestId = field(req.body, 'request_id') ?? ''
  const request = ctx.authorizationCodes.pending(requestId)
  if (!request) return sendPage(res, 400, errorPage('Sign-in expired', 'Start again from the application.'))
  const { redirectUri, state } = request
  if (field(req.body, 'action') === 'deny') {
    ctx.authorizationCodes.finish(requestId)
    return redirectWith(res, redirectUri, {
      error: 'access_denied',
      error_description: 'the user declined',
      state,
      iss: ctx.url,
    })
  }

  const username = field(req.body, 'username')
  const password = field(req.body, 'password')
  if (!username || !password)
    return sendPage(res, 400, loginPage(requestId, request, 'Enter your email and password.'))
  const wait = ctx.loginBrake.retryAfterSec(username)
  if (wait > 0) {
    res.set('retry-after', String(wait))
    return sendPage(res, 429, loginPage(requestId, request, 'Too many wrong passwords; try again later.'))
  }
  let user: DemoUser | undefined
  for (const verifier of ctx.passwordVerifiers) {
    user = await verifier.verify(username, password)
    if (user) break
  }
  if (!user) {
    ctx.loginBrake.recordFailure(username)
    return sendPage(res, 401, loginPage(requestId, request, 'The email or password is wrong.'))
  }
  ctx.loginBrake.reset(username)
  ctx.authorizationCodes.finish(requestId)

  const scopes = grantScopes(request.scope, user.scopes)
  if (!scopes.ok) {
    return redirectWith(res, redirectUri, {
      error: 'invalid_scope',
      error_description: `not granted to this user: ${scopes.refused.join(' ')}`,
      state,
      iss: ctx.url,
    })
  }
  const code = ctx.authorizationCodes.issue({
    clientId: request.clientId,
    redirectUri,
    codeChallenge: request.codeChallenge,
    userUuid: user.uuid,
    scopes: scopes.scopes,
    projectUuid: user.projectUuid,
  })
  // RFC 9207: `iss` tells the client which issuer answered (mix-up defence).
  redirectWith(res, redirectUri, { code, state, iss: ctx.url })
}

/** RFC 8252 §7.3 / §8.3: http on a loopback address, any port; no fragment, no credentials. */
export function isLoopbackRedirect(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return (
    url.protocol === 'http:' &&
    ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname) &&
    url.hash === '' &&
    url.username === '' &&
    url.password === ''
  )
}

function redirectWith(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri)
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) target.searchParams.set(name, value)
  // 303: the browser follows a POST's answer with a GET.
  res.set('cache-control', 'no-store').redirect(303, target.href)
}

function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'x-frame-options': 'DENY',
    })
    .type('html')
    .send(html)
}

function loginPage(requestId: string, request: PendingAuthorization, message?: string): string {
  const scope = request.scope ? `<p>Access asked for: <code>${escapeHtml(request.scope)}</code></p>` : ''
  const notice = message ? `<p role="alert">${escapeHtml(message)}</p>` : ''
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${escapeHtml(request.clientId)}</h1>${scope}${notice}
<form method="post" action="/authorize">
  <input type="hidden" name="request_id" value="${escapeHtml(requestId)}">
  <label>Email <input name="username" type="email" autocomplete="username" value="${escapeHtml(request.loginHint ?? '')}" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit" name="action" value="approve">Sign in</button>
  <button type="submit" name="action" value="deny" formnovalidate>Cancel</button>
</form>`,
  )
}

function errorPage(title: string, detail: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`)
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto}label{display:block;margin:.5rem 0}</style>
</head><body>${body}</body></html>`
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  )
}

function internalError(res: Response) {
  return (error: unknown) => {
    console.error('issuer error:', error)
    if (!res.headersSent) sendPage(res, 500, errorPage('Sign-in failed', 'The issuer failed; see its log.'))
  }
}
