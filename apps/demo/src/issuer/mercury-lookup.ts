import { createHmac, timingSafeEqual } from 'node:crypto'
import type { ProjectRegistry } from './projects.js'

/** How far `X-Timestamp` may be from our clock, either way. */
const WINDOW_MS = 5 * 60 * 1000

export interface LookupRequest {
  method: string
  /** Path relative to the issuer's base URL, without the query: what the signature covers. */
  path: string
  headers: Readonly<Record<string, string | string[] | undefined>>
}

export interface LookupAnswer {
  status: number
  body: Record<string, unknown>
}

/**
 * Mercury's `GET /auth`, as `@portcullis/core`'s HTTP project resolver calls it:
 * `Authorization: Basic base64(appId:secret:serviceId)`, `X-Timestamp` (Unix ms) and `X-Signature` =
 * hex HMAC-SHA256(SIGNATURE_SHARED_SECRET, METHOD + path + timestamp). Answers `{ projectUuid, projectName }`,
 * plus `scopes` when the project has some (an extension core's resolver reads; Mercury itself sends none).
 * Error messages follow Mercury's wording, which the resolver classifies: "signature"/"timestamp" (the
 * caller is misconfigured), "disabled" (project switched off), "service" (not enabled for this project).
 */
export function lookupProject(
  request: LookupRequest,
  registry: ProjectRegistry,
  signingSecret: string,
  now = Date.now(),
): LookupAnswer {
  const signatureProblem = checkSignature(request, signingSecret, now)
  if (signatureProblem) return { status: 401, body: { message: signatureProblem } }
  const credentials = readBasic(request.headers.authorization)
  if (!credentials) return { status: 401, body: { message: 'Missing or malformed app credentials' } }
  const project = registry.verify(credentials.appId, credentials.secret)
  if (!project) return { status: 401, body: { message: 'Invalid app credentials' } }
  if (!project.enabled) return { status: 403, body: { message: 'Project is disabled' } }
  if (!project.enabledServices.includes(credentials.serviceId)) {
    return {
      status: 403,
      body: { message: `Service ${credentials.serviceId} is not enabled for this project` },
    }
  }
  return {
    status: 200,
    body: {
      projectUuid: project.uuid,
      projectName: project.name,
      ...(project.scopes.length > 0 && { scopes: project.scopes }),
    },
  }
}

function checkSignature(request: LookupRequest, secret: string, now: number): string | undefined {
  const timestamp = single(request.headers['x-timestamp'])
  const signature = single(request.headers['x-signature'])
  if (!timestamp || !signature) return 'Missing request signature or timestamp'
  if (!/^\d{10,16}$/.test(timestamp)) return 'Invalid timestamp: Unix milliseconds expected'
  if (Math.abs(now - Number(timestamp)) > WINDOW_MS) return 'Request timestamp outside the allowed window'
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return 'Invalid request signature'
  const expected = createHmac('sha256', secret)
    .update(`${request.method.toUpperCase()}${request.path}${timestamp}`)
    .digest()
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected) ? undefined : 'Invalid request signature'
}

/** `appId:secret:serviceId`; the secret may itself hold colons, so split on the first and the last. */
function readBasic(
  header: string | string[] | undefined,
): { appId: string; secret: string; serviceId: string } | undefined {
  const value = single(header)
  const match = value && /^Basic ([A-Za-z0-9+/=]+)$/i.exec(value)
  if (!match) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const first = decoded.indexOf(':')
  const last = decoded.lastIndexOf(':')
  if (first <= 0 || last <= first || last === decoded.length - 1) return undefined
  return {
    appId: decoded.slice(0, first),
    secret: decoded.slice(first + 1, last),
    serviceId: decoded.slice(last + 1),
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value
}

/** The headers a caller sends (the tour, the tests): what core's Mercury client computes. */
export function signLookup(method: string, path: string, secret: string, now = Date.now()) {
  const signature = createHmac('sha256', secret).update(`${method.toUpperCase()}${path}${now}`).digest('hex')
  return { 'x-timestamp': String(now), 'x-signature': signature }
}
