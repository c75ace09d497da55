import { createAuth, type PortcullisConfigInput } from '@portcullis/core'
import { portcullis } from '@portcullis/express'
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
import { expressjwt } from 'express-jwt'
import { auth as oauth2Bearer } from 'express-oauth2-jwt-bearer'
import jwksRsa from 'jwks-rsa'
import { type BenchServer, ROUTE, type ServerContext, serveListener } from '../context.js'

/** Every app trusts the loopback proxy, so `req.ip` is the load generator's per-user X-Forwarded-For. */
function baseApp(): Express {
  const app = express()
  app.set('trust proxy', 'loopback')
  app.set('etag', false)
  app.set('x-powered-by', false)
  return app
}

/** Peers answer errors the way their docs show: 401 with a small JSON body. */
const peerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error.status === 'number' ? error.status : 401
  res.status(status).json({ error: error.code ?? 'invalid_token' })
}

export async function expressBare(): Promise<BenchServer> {
  const app = baseApp()
  app.get(ROUTE, (_req, res) => {
    res.json({ id: 'anonymous' })
  })
  return serveListener(app)
}

export async function expressPortcullis(ctx: ServerContext, withRedis = false): Promise<BenchServer> {
  const config: PortcullisConfigInput = {
    audience: ctx.audience,
    issuers: [{ issuer: ctx.issuer, jwksUri: ctx.jwksUri }],
    ...(withRedis && ctx.redisUrl && { redis: { url: ctx.redisUrl } }),
  }
  const auth = createAuth(config)
  await auth.ready()
  for (const { jti, exp } of ctx.revokedJtis) await auth.revoke.token(jti, exp)
  const { jwtAuth } = portcullis(auth)
  const app = baseApp()
  app.get(ROUTE, jwtAuth(), (req, res) => {
    res.json({ id: req.auth?.user?.subject })
  })
  return serveListener(app, () => auth.close())
}

export async function expressJwt(ctx: ServerContext): Promise<BenchServer> {
  const revoked = new Set(ctx.revokedJtis.map((r) => r.jti))
  const app = baseApp()
  app.get(
    ROUTE,
    expressjwt({
      secret: jwksRsa.expressJwtSecret({ jwksUri: ctx.jwksUri, cache: true, rateLimit: true }) as never,
      algorithms: [ctx.alg],
      issuer: ctx.issuer,
      audience: ctx.audience,
      isRevoked: async (_req, token) =>
        revoked.has((token?.payload as { jti?: string } | undefined)?.jti ?? ''),
    }),
    (req, res) => {
      res.json({ id: (req as unknown as { auth?: { sub?: string } }).auth?.sub })
    },
  )
  app.use(peerErrors)
  return serveListener(app)
}

export async function expressOauth2Bearer(ctx: ServerContext): Promise<BenchServer> {
  const revoked = new Set(ctx.revokedJtis.map((r) => r.jti))
  const notRevoked: RequestHandler = (req, res, next) => {
    const jti = (req as unknown as { auth?: { payload: { jti?: string } } }).auth?.payload.jti
    if (jti !== undefined && revoked.has(jti)) res.status(401).json({ error: 'invalid_token' })
    else next()
  }
  const app = baseApp()
  app.get(
    ROUTE,
    oauth2Bearer({
      issuer: ctx.issuer,
      jwksUri: ctx.jwksUri,
      audience: ctx.audience,
      tokenSigningAlg: ctx.alg,
    }),
    notRevoked,
    (req, res) => {
      res.json({ id: (req as unknown as { auth?: { payload: { sub?: string } } }).auth?.payload.sub })
    },
  )
  app.use(peerErrors)
  return serveListener(app)
}
