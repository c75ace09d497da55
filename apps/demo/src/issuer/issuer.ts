import { join } from 'node:path'
import type { Auth } from '@portcullis/core'
import express, { type ErrorRequestHandler, type Express } from 'express'
import { AccessTokens } from './access-tokens.js'
import { ApiKeys } from './api-keys.js'
import { AuthorizationCodes } from './authorization-codes.js'
import { mountAuthorizeRoutes } from './authorize-routes.js'
import { mountDemoCrm } from './demo-crm.js'
import { mountDiscoveryRoutes } from './discovery-routes.js'
import type { ClaimFunction } from './dynamic-claims.js'
import { sendOAuthError } from './http-errors.js'
import type { IssuerContext } from './issuer-context.js'
import { LoginBrake } from './login-brake.js'
import { ProjectRegistry } from './projects.js'
import { RefreshTokens } from './refresh-tokens.js'
import { mountRegistryRoutes } from './registry-routes.js'
import type { SigningKeys } from './signing-keys.js'
import { mountTokenRoutes } from './token-routes.js'
import { type PasswordVerifier, UsersFile } from './users.js'
import { mountVerificationRoutes } from './verification-routes.js'

export interface IssuerOptions {
  /** Issuer identifier and base URL (`http://127.0.0.1:<port>`). */
  url: string
  audience: string
  signingSecret: string
  adminKey: string
  accessTokenTtlSec: number
  refreshTokenTtlSec: number
  auth: Auth
  keys: SigningKeys
  /** `users.yaml`, `projects.yaml` and `api-keys/`. */
  dataDir: string
  claimFunctions?: Readonly<Record<string, ClaimFunction>>
  /** Password checks tried after the users file (e.g. an LDAP bind). */
  extraPasswordVerifiers?: readonly PasswordVerifier[]
  /** Origins inline `api_key_config` dynamic claims may call, besides the issuer's own. */
  inlineClaimOrigins?: readonly string[]
  /** Public clients allowed the authorization code flow (loopback redirects, PKCE). Default `portcullis-cli`. */
  publicClients?: readonly string[]
  /** Static files served at `/` (the playground). */
  staticDir?: string
  /** `GET /demo/manifest.json`: what the playground and the tour need to know about the running demo. */
  manifest?: () => unknown
}

/** The `portcullis` CLI's client id (`portcullis login --client-id portcullis-cli`). */
export const DEFAULT_PUBLIC_CLIENT = 'portcullis-cli'

export interface Issuer {
  readonly app: Express
  readonly context: IssuerContext
  close(): void
}

/** The Mercury-role token service: an Express app to mount on an HTTP server already listening at `url`. */
export async function createIssuer(options: IssuerOptions): Promise<Issuer> {
  const [users, apiKeys, projects] = await Promise.all([
    UsersFile.load(join(options.dataDir, 'users.yaml')),
    ApiKeys.load(join(options.dataDir, 'api-keys')),
    ProjectRegistry.load(join(options.dataDir, 'projects.yaml'), options.signingSecret),
  ])
  const context: IssuerContext = {
    url: options.url,
    audience: options.audience,
    signingSecret: options.signingSecret,
    adminKey: options.adminKey,
    auth: options.auth,
    users,
    passwordVerifiers: [users, ...(options.extraPasswordVerifiers ?? [])],
    apiKeys,
    projects,
    keys: options.keys,
    tokens: new AccessTokens({
      issuer: options.url,
      audience: options.audience,
      ttlSec: options.accessTokenTtlSec,
      keys: options.keys,
    }),
    refreshTokens: new RefreshTokens(options.refreshTokenTtlSec),
    claimFunctions: new Map(Object.entries(options.claimFunctions ?? {})),
    inlineClaimOrigins: new Set([new URL(options.url).origin, ...(options.inlineClaimOrigins ?? [])]),
    loginBrake: new LoginBrake(),
    publicClients: new Set(options.publicClients ?? [DEFAULT_PUBLIC_CLIENT]),
    authorizationCodes: new AuthorizationCodes(),
  }

  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '64kb' }), express.urlencoded({ extended: false, limit: '64kb' }))
  const router = express.Router()
  const scopes = [...new Set(users.list().flatMap((user) => user.scopes))].sort()
  mountDiscoveryRoutes(router, context, scopes)
  mountTokenRoutes(router, context)
  mountAuthorizeRoutes(router, context)
  mountVerificationRoutes(router, context)
  mountRegistryRoutes(router, context)
  const crm = mountDemoCrm(router, users)
  if (options.manifest) {
    const manifest = options.manifest
    router.get(
      '/demo/manifest.json',
      (_req, res) => void res.set('cache-control', 'no-store').json(manifest()),
    )
  }
  app.use(router)
  if (options.staticDir) {
    app.use((_req, res, next) => {
      // The playground talks to the APIs on other loopback ports, and to nothing else.
      res.set(
        'content-security-policy',
        "default-src 'self'; connect-src 'self' http://127.0.0.1:* http://localhost:*; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
      )
      next()
    })
    app.use(express.static(options.staticDir, { index: 'index.html' }))
  }
  app.use((_req, res) => sendOAuthError(res, 404, 'not_found', 'no such endpoint'))
  app.use(((error, _req, res, _next) => {
    const status = (error as { status?: number }).status
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendOAuthError(res, status, 'invalid_request', 'the request body could not be read')
    }
    console.error('issuer error:', error)
    sendOAuthError(res, 500, 'server_error', 'the issuer failed; see its log')
  }) satisfies ErrorRequestHandler)

  return { app, context, close: () => crm.close() }
}
