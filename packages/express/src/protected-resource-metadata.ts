import { type Auth, ConfigError, protectedResourceMetadataUrl } from '@portcullis/core'
import type { RequestHandler } from 'express'

/**
 * Serves core's RFC 9728 document with GET (and HEAD) at the path of the configured metadata URL
 * (`/.well-known/oauth-protected-resource` plus the resource's path, unless `metadataUrl` says otherwise).
 * Mount it at the app's root. Without `protectedResource` in the config it throws at construction.
 */
export function protectedResourceMetadataHandler(auth: Auth): RequestHandler {
  const resource = auth.config.protectedResource
  const document = auth.protectedResourceMetadata()
  if (resource === undefined || document === undefined) {
    throw new ConfigError([
      { path: 'protectedResource', message: 'is required to serve the RFC 9728 metadata document' },
    ])
  }
  const path = new URL(protectedResourceMetadataUrl(resource)).pathname
  return (req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.baseUrl + req.path === path) res.json(document)
    else next()
  }
}
