import type { IncomingMessage, ServerResponse } from 'node:http'

const ALLOWED_HEADERS = 'authorization, content-type, x-app-id, x-app-secret, x-project-token'
const EXPOSED_HEADERS = 'www-authenticate, retry-after, content-type, x-demo-api'

/**
 * CORS for the playground page, which is served by the issuer on another loopback port. Only the
 * playground's own origins are allowed; credentials travel in headers, never cookies. Answers preflights
 * itself (before any guard, as the browser sends them without credentials) and returns true when it did.
 */
export function applyCors(
  allowedOrigins: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const origin = req.headers.origin
  res.setHeader('vary', 'Origin')
  if (origin === undefined || !allowedOrigins.has(origin)) return false
  res.setHeader('access-control-allow-origin', origin)
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS)
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS')
  res.setHeader('access-control-allow-headers', ALLOWED_HEADERS)
  res.setHeader('access-control-max-age', '600')
  res.statusCode = 204
  res.end()
  return true
}

/** The same as Connect/Express middleware. */
export function corsMiddleware(allowedOrigins: ReadonlySet<string>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (!applyCors(allowedOrigins, req, res)) next()
  }
}
