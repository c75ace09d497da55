import { z } from 'zod'

const nonEmpty = z.string().min(1)
const positiveInt = z.number().int().positive()
const seconds = z.number().int().nonnegative()
const httpUrl = z.url({ protocol: /^https?$/ })
const rsaAlgorithm = z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])

/** A key template naming its one placeholder, e.g. `project_token:{token_id}`. */
const keyTemplate = (placeholder: string) =>
  nonEmpty.refine((value) => value.includes(`{${placeholder}}`), `must contain {${placeholder}}`)

/**
 * How Mercury project, platform and service tokens (`x-project-token`) are accepted.
 * The `*Key` templates name Mercury's own Redis keys, read without the Portcullis prefix.
 */
export const projectTokensConfigSchema = z
  .object({
    /** Header carrying the token; a `Bearer ` prefix is optional. */
    /** Accept Mercury tokens in `header` at all. Off for services that only use app credentials. */
    enabled: z.boolean().default(true),
    header: nonEmpty.default('x-project-token'),
    acceptedTypes: z
      .array(z.enum(['project', 'platform', 'service']))
      .min(1)
      .default(['project', 'platform', 'service']),
    /** Mercury signs with RSA; these are the accepted `alg`s. */
    algorithms: z.array(rsaAlgorithm).min(1).default(['RS256', 'RS384', 'RS512']),
    /** Required `iss`, when set. Mercury deployments differ, so it is not checked by default. */
    issuer: nonEmpty.optional(),
    /** Required `aud` (any of), when set. */
    audience: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
    clockToleranceSec: seconds.max(600).default(30),
    maxTokenBytes: z.number().int().min(256).max(65_536).default(8192),
    /**
     * How `project_token:{token_id}` / `platform_token:{token_id}` decide liveness. The ports disagree:
     * `allowlist` (default; Go and the newest PHP port): the key must exist; `denylist` (older PHP port):
     * the key must not exist; `off`: not consulted.
     */
    tokenLiveness: z.enum(['allowlist', 'denylist', 'off']).default('allowlist'),
    /** Current secret version of a tenant; tokens with an older `secret_version` are refused. */
    secretVersionKey: keyTemplate('tenant').default('tenant_secret_version:{tenant}'),
    projectTokenKey: keyTemplate('token_id').default('project_token:{token_id}'),
    platformTokenKey: keyTemplate('token_id').default('platform_token:{token_id}'),
    /**
     * Whether platform tokens, like project tokens, must list this service in `enabled_services`. The Go port
     * does not check platform tokens; this refuses them unless they name the service. Default true.
     */
    platformTokensNeedService: z.boolean().default(true),
    /** Verified signatures remembered in process (the Redis state checks still run on every request). */
    cacheMaxEntries: z.number().int().nonnegative().default(10_000),
  })
  .strict()

/** Per-tenant key sets at `{baseUrl}/auth/projects/{tenant}/.well-known/jwks.json`, and the service one. */
export const tenantKeySetsConfigSchema = z
  .object({
    /** Most tenant key sets held at once (least recently used are dropped). */
    maxTenants: positiveInt.default(1000),
    /** Fetches for tenants not held yet, per second, across the process (token bucket). */
    newTenantFetchesPerSec: positiveInt.default(10),
    newTenantBurst: positiveInt.default(10),
    /** How long a tenant whose key set answered 404 is refused without fetching. */
    unknownTenantTtlSec: positiveInt.default(300),
    /** Most unknown tenants remembered in process. */
    maxUnknownTenants: positiveInt.default(10_000),
    ttlSec: positiveInt.default(600),
    cooldownSec: seconds.default(30),
    staleIfErrorSec: seconds.default(6 * 3600),
    timeoutMs: positiveInt.default(5000),
    maxBytes: positiveInt.default(512 * 1024),
  })
  .strict()

/**
 * The Mercury section: where it is, how calls to it behave, and how its tokens are accepted.
 * Superset of the `mercury: { baseUrl }` section (`MERCURY_BASE_URL`). The HMAC signing secret is
 * `projects.signingSecret` (`SIGNATURE_SHARED_SECRET`), passed to `MercuryClient` separately.
 */
export const mercuryConfigSchema = z
  .object({
    baseUrl: httpUrl.optional(),
    /** Per attempt. */
    timeoutMs: positiveInt.default(3000),
    /** Extra attempts after a network error, timeout, 408, 429 or 5xx. */
    retries: z.number().int().min(0).max(5).default(1),
    /** First backoff; doubles per attempt, with full jitter. */
    retryBackoffMs: seconds.default(100),
    maxResponseBytes: positiveInt.default(64 * 1024),
    circuitBreaker: z
      .object({
        /** Consecutive failed calls that open the circuit. */
        failureThreshold: positiveInt.default(5),
        /** How long it stays open before one trial call is let through (half-open). */
        resetAfterMs: positiveInt.default(30_000),
      })
      .strict()
      .prefault({}),
    projectTokens: projectTokensConfigSchema.prefault({}),
    tenantKeySets: tenantKeySetsConfigSchema.prefault({}),
  })
  .strict()

/**
 * This service's identity at Mercury. Superset of `service: { id }` (`SERVICE_ID`). Without `id`, it is
 * discovered with `clientId` / `clientSecret` (`CLIENT_ID` / `CLIENT_SECRET`) over Mercury's GraphQL.
 */
export const serviceConfigSchema = z
  .object({
    id: nonEmpty.optional(),
    clientId: nonEmpty.optional(),
    clientSecret: nonEmpty.optional(),
    /** Scope asked for in `generateServiceToken`. */
    tokenScope: nonEmpty.default('services:read'),
    /** How long a service token is reused (capped by its `expires_in`). */
    tokenTtlSec: positiveInt.default(3300),
    /** How long a discovered service id is reused; past it, a failed refresh keeps the old id. */
    idTtlSec: positiveInt.default(86_400),
    /** After a failed discovery, how long requests are refused at once instead of calling Mercury again. */
    failureCooldownSec: seconds.default(5),
  })
  .strict()
  .refine(
    (service) =>
      service.id !== undefined || (service.clientId === undefined) === (service.clientSecret === undefined),
    {
      message: 'clientId and clientSecret go together',
      path: ['clientSecret'],
    },
  )

export type MercuryConfigInput = z.input<typeof mercuryConfigSchema>
export type MercuryConfig = z.output<typeof mercuryConfigSchema>
export type ProjectTokensConfig = z.output<typeof projectTokensConfigSchema>
export type TenantKeySetsConfig = z.output<typeof tenantKeySetsConfigSchema>
export type ServiceConfigInput = z.input<typeof serviceConfigSchema>
export type ServiceConfig = z.output<typeof serviceConfigSchema>
