import type { AuthInput } from '@portcullis/core'
import type { Request } from 'express'

/**
 * Core's framework-neutral view of an Express request. `ip` and `protocol` come from Express, so they follow
 * the app's own `trust proxy` setting. Hot path: one small object, nothing parsed.
 */
export function toAuthInput(req: Request): AuthInput {
  return {
    headers: req.headers,
    ip: req.ip,
    method: req.method,
    url: req.originalUrl,
    protocol: req.protocol,
  }
}
