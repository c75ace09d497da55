import { z } from 'zod'
import { AuthError, because } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'
import { isSignatureRefusal, type MercuryClient, messageOf } from '../mercury/mercury-client.js'
import { MercuryUnavailableError } from '../mercury/signed-fetch.js'
import type { ProjectCredentials } from './credentials.js'
import type { ProjectRecord } from './project.js'
import type { ProjectResolver } from './resolver.js'

const strings = z.array(z.string().max(256)).max(1000)
const mercuryProject = z.object({
  projectUuid: z.string().min(1).max(256),
  projectName: z.string().max(512).nullish(),
  enabled: z.boolean().optional(),
  enabledServices: strings.optional(),
  enabled_services: strings.optional(),
  scopes: strings.optional(),
  secretVersion: z.number().int().nonnegative().optional(),
  secret_version: z.number().int().nonnegative().optional(),
})
// Deployments answer the project at the top level; some wrap it in `data`.
const mercuryAnswer = z.union([
  mercuryProject,
  z.object({ data: mercuryProject }).transform((body) => body.data),
])

export interface MercuryProjectResolverOptions {
  client: MercuryClient
  logger?: Logger
}

/**
 * Asks Mercury: `GET {base}/auth` with `Authorization: Basic base64(appId:secret:serviceId)`, signed like
 * every Mercury call, answered `{ projectUuid, projectName }` (validated). Mercury's answer lacks the rest:
 * enabled = true, enabledServices = [serviceId] (Mercury accepted the call naming this service), scopes = [],
 * secretVersion = 0, unless the answer carries them.
 *
 * How Mercury's answers map (the client never learns which case applied beyond the status):
 * - 200: the project.
 * - 401/403 whose message is about the signature or timestamp: Mercury refuses *us* (wrong shared secret,
 *   clock skew): our misconfiguration, so 503 `auth_unavailable`, logged as an error, counted by the circuit.
 * - 401/403 saying the project is disabled or revoked: 401 `project_revoked`.
 * - 403 about the service: 403 `insufficient_scope` (this service is not enabled for the project).
 * - 400, 401, 404, 422 otherwise: wrong app id or secret, so undefined (401 `project_credentials_invalid`).
 * - other 403s and unexpected statuses or bodies: 503 `auth_unavailable`.
 * - timeouts, network errors, 408, 429, 5xx (after retries), an open circuit: 503 `auth_unavailable`.
 */
export class MercuryProjectResolver implements ProjectResolver {
  readonly name = 'mercury'
  readonly #client: MercuryClient
  readonly #logger: Logger

  constructor(options: MercuryProjectResolverOptions) {
    this.#client = options.client
    this.#logger = options.logger ?? silentLogger
  }

  async resolve(credentials: ProjectCredentials, serviceId: string): Promise<ProjectRecord | undefined> {
    const basic = Buffer.from(`${credentials.appId}:${credentials.revealSecret()}:${serviceId}`).toString(
      'base64',
    )
    const response = await this.#client.request({
      method: 'GET',
      path: '/auth',
      headers: { authorization: `Basic ${basic}` },
    })
    const { status } = response
    const appId = credentials.appId
    if (status === 200) {
      const parsed = mercuryAnswer.safeParse(response.body)
      if (!parsed.success) {
        this.#logger.error({ appId, status }, 'Mercury /auth answered an unexpected body')
        throw new MercuryUnavailableError('invalid_response', '/auth answered an unexpected body', status)
      }
      const project = parsed.data
      const projectName = project.projectName ?? undefined
      return {
        projectUuid: project.projectUuid,
        ...(projectName !== undefined && { projectName }),
        enabled: project.enabled ?? true,
        enabledServices: project.enabledServices ?? project.enabled_services ?? [serviceId],
        scopes: project.scopes ?? [],
        secretVersion: project.secretVersion ?? project.secret_version ?? 0,
      }
    }
    const message = messageOf(response.body)
    if (isSignatureRefusal(response)) {
      this.#logger.error(
        { appId, status },
        'Mercury refused our request signature: check SIGNATURE_SHARED_SECRET and the clock',
      )
      throw new MercuryUnavailableError('signature_refused', 'Mercury refused the request signature', status)
    }
    if ((status === 401 || status === 403) && /disabled|revoked|inactive|suspended/i.test(message)) {
      throw new AuthError('project_revoked', { cause: because(`Mercury: project of ${appId} is disabled`) })
    }
    if (status === 403 && /service/i.test(message)) {
      throw new AuthError('insufficient_scope', {
        cause: because(`Mercury: service ${serviceId} is not enabled for ${appId}`),
      })
    }
    if (status === 400 || status === 401 || status === 404 || status === 422) return undefined
    this.#logger.error({ appId, status }, 'Mercury /auth answered an unexpected status')
    throw new MercuryUnavailableError('invalid_response', `/auth answered ${status}`, status)
  }
}
