import { inspect } from 'node:util'
import { AuthError, because } from '../errors.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from '../request/input.js'
import { APP_ID_PATTERN } from './config.js'
import { hashProjectSecret } from './secret-hash.js'

export interface ProjectHeaderNames {
  appId: string
  appSecret: string
  serviceId: string
}

export const DEFAULT_PROJECT_HEADERS: Readonly<ProjectHeaderNames> = Object.freeze({
  appId: 'x-app-id',
  appSecret: 'x-app-secret',
  serviceId: 'x-service-id',
})

const MAX_SECRET_LENGTH = 1024

/**
 * App credentials as presented. The secret itself is held privately: it is handed out only by
 * `revealSecret()` (for a resolver that must forward it, such as Mercury's `/auth`), and is absent from
 * `JSON.stringify`, `util.inspect` and so from any log line that includes the object.
 */
export class ProjectCredentials {
  readonly appId: string
  /** `hashProjectSecret(secret, signingSecret)`: what caches, keys and stored records use. */
  readonly secretHash: string
  /** The `x-service-id` the client sent, if any. */
  readonly serviceId: string | undefined
  readonly #secret: string

  constructor(appId: string, secret: string, signingSecret: string, serviceId?: string) {
    this.appId = appId
    this.#secret = secret
    this.secretHash = hashProjectSecret(secret, signingSecret)
    this.serviceId = serviceId
  }

  revealSecret(): string {
    return this.#secret
  }

  toJSON(): { appId: string; serviceId?: string } {
    return { appId: this.appId, ...(this.serviceId !== undefined && { serviceId: this.serviceId }) }
  }

  [inspect.custom](): string {
    return `ProjectCredentials { appId: ${JSON.stringify(this.appId)}, secret: [redacted] }`
  }
}

/**
 * Reads app credentials from the request, or undefined when neither header is there. Half a pair, repeated
 * headers, and ids or secrets no project can have are refused (401) before anything is looked up. Hot path.
 */
export function readProjectCredentials(
  headers: HeaderBag,
  signingSecret: string,
  names: ProjectHeaderNames = DEFAULT_PROJECT_HEADERS,
): ProjectCredentials | undefined {
  const appId = readHeader(headers, names.appId)
  const secret = readHeader(headers, names.appSecret)
  if (appId === undefined && secret === undefined) return undefined
  if (appId === AMBIGUOUS || secret === AMBIGUOUS) {
    throw new AuthError('invalid_request', { cause: because('repeated app credential headers') })
  }
  if (appId === undefined || secret === undefined) throw invalid('only one of app id and app secret was sent')
  if (!APP_ID_PATTERN.test(appId)) throw invalid('the app id is not of a valid shape')
  if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH)
    throw invalid('the app secret is empty or too long')
  const serviceId = readHeader(headers, names.serviceId)
  if (serviceId === AMBIGUOUS)
    throw new AuthError('invalid_request', { cause: because('repeated service id') })
  return new ProjectCredentials(appId, secret, signingSecret, serviceId)
}

/** Whether the request carries either app credential header (for "first credential present decides"). Hot path. */
export function hasProjectCredentials(
  headers: HeaderBag,
  names: ProjectHeaderNames = DEFAULT_PROJECT_HEADERS,
): boolean {
  return readHeader(headers, names.appId) !== undefined || readHeader(headers, names.appSecret) !== undefined
}

function invalid(reason: string): AuthError {
  return new AuthError('project_credentials_invalid', { cause: because(reason) })
}
