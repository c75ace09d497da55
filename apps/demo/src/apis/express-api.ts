import { portcullis } from '@portcullis/express'
import express, { type Express, type Request, type Response } from 'express'
import type { ApiOptions } from './api-options.js'
import { corsMiddleware } from './cors.js'
import { profileOf, projectDataOf, projectOf, reportsFor, secureResourceFor } from './domain.js'

/**
 * The domain on Express: middleware for `/profile` and `/project`, decorated controllers for `/reports` and
 * `/secure`, all from one `portcullis(auth)`.
 */
export function createExpressApi({ auth, projectMode, allowedOrigins }: ApiOptions): Express {
  const { jwtAuth, projectAuth, JwtAuth, Scopes, Public, CombinedAuth } = portcullis(auth)
  const app = express()
  app.disable('x-powered-by')
  app.use(corsMiddleware(allowedOrigins), (_req, res, next) => {
    res.set('x-demo-api', 'express')
    next()
  })

  app.get('/profile', jwtAuth({ scopes: ['profile:read'] }), (req, res) => {
    res.json({ api: 'express', profile: profileOf(req.auth!.user!) })
  })

  @JwtAuth()
  class ReportsController {
    @Scopes('reports:read')
    list(req: Request, res: Response) {
      res.json({ api: 'express', reports: reportsFor(req.auth!.user!) })
    }

    @Public()
    health(_req: Request, res: Response) {
      res.json({ api: 'express', ok: true })
    }
  }
  const reports = new ReportsController()
  app.get('/reports', reports.list.bind(reports))
  app.get('/health', reports.health.bind(reports))

  if (projectMode) {
    app.get('/project', projectAuth(), (req, res) => {
      res.json({ api: 'express', ...projectDataOf(projectOf(req.auth)!) })
    })

    @CombinedAuth({ scopes: ['secure:read'] })
    class SecureController {
      read(req: Request, res: Response) {
        res.json({ api: 'express', secure: secureResourceFor(req.auth!.user!, projectOf(req.auth)!) })
      }
    }
    const secure = new SecureController()
    app.get('/secure', secure.read.bind(secure))
  }

  app.use((_req, res) => void res.status(404).json({ error: 'not_found' }))
  return app
}
