import { ConfigError } from '../config/errors.js'
import type { PortcullisConfig } from '../config/schema.js'
import { AuthError } from '../errors.js'
import type { Logger } from '../logger.js'
import { MercuryClient } from '../mercury/mercury-client.js'
import { MercuryProjectTokenVerifier } from '../mercury/project-token-verifier.js'
import { ServiceIdentity } from '../mercury/service-identity.js'
import { TenantKeySets } from '../mercury/tenant-key-sets.js'
import { createProjectResolvers } from '../projects/create-resolvers.js'
import type { ResolveProjectFunction } from '../projects/function-resolver.js'
import type { ProjectIdentity } from '../projects/project.js'
import { ProjectAuthenticator } from '../projects/project-authenticator.js'
import { createSignedRequestVerifier, type SignedRequestVerifier } from '../projects/signed-request.js'
import type { RedisConnection } from '../redis/connection.js'
import { redisHashReader, redisKeyReader } from '../redis/raw-readers.js'
import type { AuthInput } from '../request/input.js'
import type { RevocationChecker } from '../revocation/revocation-checker.js'
import type { SharedStore } from '../store/shared-store.js'

export interface ProjectPathDependencies {
  config: PortcullisConfig
  store: SharedStore
  redis: RedisConnection | undefined
  revocations: RevocationChecker
  logger: Logger
  resolveProject?: ResolveProjectFunction
}

/**
 * The project (service-to-service) credential: a Mercury project/platform/service token in `x-project-token`,
 * or app credentials (`x-app-id` / `x-app-secret`), for this service's id. Built once from configuration;
 * `undefined` from `createProjectPath` when nothing is configured for it.
 */
export class ProjectPath {
  readonly #apps: ProjectAuthenticator | undefined
  readonly #tokens: MercuryProjectTokenVerifier | undefined
  readonly #keySets: TenantKeySets | undefined
  readonly #service: ServiceIdentity
  readonly #revocations: RevocationChecker

  constructor(
    apps: ProjectAuthenticator | undefined,
    tokens: { verifier: MercuryProjectTokenVerifier; keySets: TenantKeySets } | undefined,
    service: ServiceIdentity,
    revocations: RevocationChecker,
  ) {
    this.#apps = apps
    this.#tokens = tokens?.verifier
    this.#keySets = tokens?.keySets
    this.#service = service
    this.#revocations = revocations
  }

  /** Whether the request carries a project credential of either kind. Hot path. */
  present(input: AuthInput): boolean {
    return (
      (this.#tokens?.extract(input.headers) ?? undefined) !== undefined ||
      (this.#apps?.hasCredentials(input.headers) ?? false)
    )
  }

  /** Authenticates the project credential (a project token wins over app credentials), then its revocation. */
  async authenticate(input: AuthInput): Promise<ProjectIdentity> {
    const serviceId = await this.#service.resolveServiceId()
    const token = this.#tokens?.extract(input.headers)
    let project: ProjectIdentity
    if (token !== undefined && this.#tokens) project = await this.#tokens.verify(token, { serviceId })
    else if (this.#apps) project = await this.#apps.authenticate(input.headers, serviceId)
    else throw new AuthError('credentials_missing')
    const now = Date.now()
    const pending =
      project.tokenType === 'service'
        ? this.#revocations.checkToken(project.tokenId, project.clientId, undefined, now)
        : this.#revocations.checkProject(project.projectUuid, now)
    if (pending) await pending
    return project
  }

  /** A project revocation was undone (here or on another instance): forget that the project was disabled. */
  projectRestored(projectUuid: string): void {
    this.#apps?.projectRestored(projectUuid)
  }

  close(): void {
    this.#keySets?.close()
  }
}

/** Builds the project path from `projects`, `mercury` and `service`, or returns undefined if none is set up. */
export function createProjectPath(deps: ProjectPathDependencies): ProjectPath | undefined {
  const { config, store, redis, logger } = deps
  const projects = config.projects
  const mercury = config.mercury
  const signingSecret = projects?.signingSecret
  const appCredentials = signingSecret !== undefined
  const projectTokens = mercury?.baseUrl !== undefined && mercury.projectTokens.enabled
  if (!appCredentials && !projectTokens) return undefined

  const service = config.service
  if (!service?.id && !(service?.clientId && service.clientSecret)) {
    throw new ConfigError([
      {
        path: 'service',
        message: 'project authentication needs this service id (SERVICE_ID) or clientId + clientSecret',
      },
    ])
  }
  const client =
    mercury?.baseUrl && signingSecret ? MercuryClient.fromConfig(mercury, signingSecret, logger) : undefined
  if (!service.id && !client) {
    throw new ConfigError([
      {
        path: 'service.clientId',
        message: 'service id discovery needs mercury.baseUrl and projects.signingSecret',
      },
    ])
  }
  const identity = ServiceIdentity.fromConfig(service, { ...(client && { client }), store, logger })

  let apps: ProjectAuthenticator | undefined
  if (projects && signingSecret) {
    const resolvers = wrapConfigError('projects.resolvers', () =>
      createProjectResolvers(projects, {
        ...(client && { mercury: client }),
        ...(redis && { hashReader: redisHashReader(redis.client) }),
        ...(deps.resolveProject && { resolve: deps.resolveProject }),
        logger,
      }),
    )
    apps = ProjectAuthenticator.fromConfig(projects, { resolvers, store, logger })
  }

  let tokens: { verifier: MercuryProjectTokenVerifier; keySets: TenantKeySets } | undefined
  if (mercury?.baseUrl && mercury.projectTokens.enabled) {
    if (!redis && mercury.projectTokens.tokenLiveness !== 'off') {
      throw new ConfigError([
        {
          path: 'mercury.projectTokens',
          message: `tokenLiveness '${mercury.projectTokens.tokenLiveness}' reads Mercury's Redis: configure redis, set tokenLiveness: 'off', or enabled: false to accept no project tokens`,
        },
      ])
    }
    const keySets = TenantKeySets.fromConfig(mercury.baseUrl, mercury.tenantKeySets, { store, logger })
    const verifier = wrapConfigError(
      'mercury.projectTokens.tokenLiveness',
      () =>
        new MercuryProjectTokenVerifier({
          keySets,
          config: mercury.projectTokens,
          ...(redis && { keyReader: redisKeyReader(redis.client) }),
          logger,
        }),
    )
    tokens = { verifier, keySets }
  }
  return new ProjectPath(apps, tokens, identity, deps.revocations)
}

/** A signed-request check when `projects.signedRequests.mode` is on. */
export function createSignedRequestCheck(
  config: PortcullisConfig,
  store: SharedStore,
): SignedRequestVerifier | undefined {
  const projects = config.projects
  if (!projects || projects.signedRequests.mode === 'off') return undefined
  if (!projects.signingSecret) {
    throw new ConfigError([
      { path: 'projects.signingSecret', message: 'signed requests need the shared signing secret' },
    ])
  }
  const { mode, ...options } = projects.signedRequests
  return createSignedRequestVerifier({ ...options, mode, signingSecret: projects.signingSecret, store })
}

function wrapConfigError<T>(path: string, build: () => T): T {
  try {
    return build()
  } catch (error) {
    if (error instanceof TypeError) throw new ConfigError([{ path, message: error.message }])
    throw error
  }
}
