import type { Router } from 'express'
import { isAdmin } from './admin-key.js'
import { sendOAuthError } from './http-errors.js'
import type { IssuerContext } from './issuer-context.js'
import { lookupProject } from './mercury-lookup.js'

/** Mercury's signed `GET /auth` lookup, and the admin endpoints for projects and keys. */
export function mountRegistryRoutes(router: Router, ctx: IssuerContext): void {
  router.get('/auth', (req, res) => {
    const answer = lookupProject(
      { method: req.method, path: req.path, headers: req.headers },
      ctx.projects,
      ctx.signingSecret,
    )
    res.status(answer.status).set('cache-control', 'no-store').json(answer.body)
  })

  router.use('/admin', (req, res, next) => {
    if (isAdmin(req, ctx.adminKey)) return next()
    sendOAuthError(res, 401, 'invalid_client', 'the admin endpoints need X-Admin-Key')
  })
  router.get('/admin/projects', (_req, res) => void res.json({ projects: ctx.projects.list() }))
  router.post('/admin/projects', (req, res) => {
    try {
      const created = ctx.projects.create(req.body ?? {})
      res
        .status(201)
        .set('cache-control', 'no-store')
        .json({ ...created.project, appSecret: created.appSecret })
    } catch (error) {
      sendOAuthError(res, 400, 'invalid_request', (error as Error).message)
    }
  })
  router.get('/admin/keys', (_req, res) => void res.json({ keys: ctx.keys.describe() }))
  router.post('/admin/keys/rotate', (_req, res, next) => {
    ctx.keys.rotate().then((rotated) => res.json(rotated), next)
  })
}
