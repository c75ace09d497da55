import { LRUCache } from 'lru-cache'
import { AuthError, because } from '../errors.js'
import type { JwsAlgorithm } from '../jwt/algorithms.js'
import { decodeJws, signedParts } from '../jwt/decode.js'
import { checkSignature } from '../jwt/verify-token.js'
import { type Logger, silentLogger } from '../logger.js'
import type { ProjectIdentity, ProjectPrincipal } from '../projects/project.js'
import { requireServiceEnabled } from '../projects/service-check.js'
import { AMBIGUOUS, type HeaderBag, readHeader } from '../request/input.js'
import type { ProjectTokensConfig } from './config.js'
import type { KeyReader } from './key-reader.js'
import {
  type ProjectTokenClaimsOptions,
  type ProjectTokenType,
  routeProjectToken,
  validateProjectTokenClaims,
} from './project-token-claims.js'
import type { TenantKeySets } from './tenant-key-sets.js'

export interface MercuryProjectTokenVerifierOptions {
  keySets: TenantKeySets
  /** Validated `mercury.projectTokens` section (see `projectTokensConfigSchema` for defaults). */
  config: ProjectTokensConfig
  /** Mercury's Redis, read raw. Required unless `tokenLiveness` is `off`; without it no secret version is checked. */
  keyReader?: KeyReader
  logger?: Logger
}

export interface VerifyProjectTokenOptions {
  /**
   * When given, project tokens (and platform tokens, unless `platformTokensNeedService` is off) must list it
   * in `enabled_services` (else 403). Service tokens are authorized by their scopes instead.
   */
  serviceId?: string
}

/**
 * Verifies Mercury project, platform and service tokens (`x-project-token`): the signature against the
 * token's own tenant key set (service tokens: the service key set), the claims, then, on every request,
 * Mercury's Redis state: a `secret_version` older than `tenant_secret_version:{tenant}` is refused, and so
 * is a token that fails the liveness rule (`tokenLiveness`). A Redis read error fails closed (503).
 * Verified signatures are remembered in process until the token expires; the state checks are not.
 */
export class MercuryProjectTokenVerifier {
  readonly #keySets: TenantKeySets
  readonly #config: ProjectTokensConfig
  readonly #reader: KeyReader | undefined
  readonly #logger: Logger
  readonly #claims: ProjectTokenClaimsOptions
  readonly #algorithms: ReadonlySet<string>
  readonly #verified: LRUCache<string, ProjectIdentity> | undefined

  constructor(options: MercuryProjectTokenVerifierOptions) {
    const config = options.config
    if (!options.keyReader && config.tokenLiveness !== 'off') {
      throw new TypeError(`tokenLiveness '${config.tokenLiveness}' needs a KeyReader on Mercury's Redis`)
    }
    this.#keySets = options.keySets
    this.#config = config
    this.#reader = options.keyReader
    this.#logger = options.logger ?? silentLogger
    this.#algorithms = new Set(config.algorithms)
    const audience = config.audience
    this.#claims = {
      clockToleranceSec: config.clockToleranceSec,
      acceptedTypes: new Set<ProjectTokenType>(config.acceptedTypes),
      ...(config.issuer !== undefined && { issuer: config.issuer }),
      ...(audience !== undefined && {
        audiences: new Set(typeof audience === 'string' ? [audience] : audience),
      }),
    }
    this.#verified =
      config.cacheMaxEntries > 0
        ? new LRUCache<string, ProjectIdentity>({ max: config.cacheMaxEntries })
        : undefined
  }

  /**
   * The token in the configured header (`x-project-token`), without its optional `Bearer ` prefix, or
   * undefined when the header is absent. Repeated or empty headers are refused. Hot path.
   */
  extract(headers: HeaderBag): string | undefined {
    const value = readHeader(headers, this.#config.header)
    if (value === undefined) return undefined
    if (value === AMBIGUOUS) {
      throw new AuthError('invalid_request', { cause: because(`several ${this.#config.header} headers`) })
    }
    const token = value.replace(/^Bearer +/i, '').trim()
    if (token.length === 0) throw new AuthError('token_malformed', { cause: because('empty project token') })
    if (token.length > this.#config.maxTokenBytes) {
      throw new AuthError('token_too_large', { cause: because('project token too large') })
    }
    return token
  }

  /** Verifies a token and returns the project (or calling service) it stands for. Throws `AuthError`. */
  async verify(token: string, options: VerifyProjectTokenOptions = {}): Promise<ProjectIdentity> {
    if (token.length > this.#config.maxTokenBytes) {
      throw new AuthError('token_too_large', { cause: because('project token too large') })
    }
    const identity = this.#verified?.get(token) ?? (await this.#verifySignedToken(token))
    if (identity.tokenType !== 'service') await this.#checkState(identity)
    if (
      options.serviceId !== undefined &&
      (identity.tokenType !== 'platform' || this.#config.platformTokensNeedService)
    ) {
      requireServiceEnabled(identity, options.serviceId)
    }
    return identity
  }

  async #verifySignedToken(token: string): Promise<ProjectIdentity> {
    const decoded = decodeJws(token)
    const { header, payload } = decoded
    const alg = header.alg as JwsAlgorithm
    if (!this.#algorithms.has(alg)) {
      throw new AuthError('token_algorithm_not_allowed', { cause: because(`alg ${alg} is not accepted`) })
    }
    const route = routeProjectToken(payload, this.#claims.acceptedTypes)
    const key =
      route.type === 'service'
        ? await this.#keySets.resolveServiceKey(header.kid, alg)
        : await this.#keySets.resolveTenantKey(route.tenant, header.kid, alg)
    const { input, signature } = signedParts(decoded)
    if (!checkSignature(key, alg, input, signature)) {
      throw new AuthError('token_signature_invalid', { cause: because('signature does not verify') })
    }
    const nowSec = Date.now() / 1000
    const identity = freeze(validateProjectTokenClaims(payload, route, this.#claims, nowSec))
    const ttlMs = ((identity.expiresAt ?? nowSec) + this.#config.clockToleranceSec - nowSec) * 1000
    if (ttlMs >= 1) this.#verified?.set(token, identity, { ttl: Math.floor(ttlMs) })
    return identity
  }

  /** Mercury's Redis state for a project or platform token, read on every request. */
  async #checkState(identity: ProjectPrincipal): Promise<void> {
    const reader = this.#reader
    if (!reader) return
    const config = this.#config
    const tokenId = identity.tokenId as string
    const versionKey = config.secretVersionKey.replaceAll('{tenant}', identity.tenant)
    const livenessKey =
      config.tokenLiveness === 'off'
        ? undefined
        : (identity.tokenType === 'platform' ? config.platformTokenKey : config.projectTokenKey).replaceAll(
            '{token_id}',
            tokenId,
          )
    let current: string | undefined
    let live: string | undefined
    try {
      ;[current, live] = await Promise.all([
        reader.get(versionKey),
        livenessKey === undefined ? undefined : reader.get(livenessKey),
      ])
    } catch (cause) {
      this.#logger.error(
        { tenant: identity.tenant, reason: (cause as Error)?.message },
        'Mercury Redis unreadable',
      )
      throw new AuthError('auth_unavailable', { cause })
    }
    if (current !== undefined) {
      const version = Number(current)
      if (!Number.isSafeInteger(version)) {
        this.#logger.error({ tenant: identity.tenant }, 'tenant secret version is not an integer')
        throw new AuthError('auth_unavailable', { cause: because(`${versionKey} is not an integer`) })
      }
      if (identity.secretVersion < version) {
        throw new AuthError('token_revoked', {
          cause: because('secret_version is older than the tenant secret'),
        })
      }
    }
    const revoked = config.tokenLiveness === 'allowlist' ? live === undefined : live !== undefined
    if (livenessKey !== undefined && revoked) {
      throw new AuthError('token_revoked', {
        cause: because(
          `${config.tokenLiveness === 'allowlist' ? 'no' : 'a'} ${livenessKey.split(':')[0]} key`,
        ),
      })
    }
  }
}

/** Cached identities are shared between requests, so nobody may change one. */
function freeze(identity: ProjectIdentity): ProjectIdentity {
  Object.freeze(identity.enabledServices)
  Object.freeze(identity.scopes)
  return Object.freeze(identity)
}
