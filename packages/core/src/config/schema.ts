import { createPublicKey } from 'node:crypto'
import { z } from 'zod'
import { apiKeysConfigSchema } from '../api-keys/config.js'
import { allowRulesConfigSchema } from '../authorize/allow-rules.js'
import { ASYMMETRIC_ALGORITHMS, isSymmetricAlgorithm, SYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js'
import { mercuryConfigSchema, serviceConfigSchema } from '../mercury/config.js'
import { PRESET_NAMES } from '../presets/names.js'
import { projectsConfigSchema } from '../projects/config.js'

const nonEmpty = z.string().min(1)
const audience = z.union([nonEmpty, z.array(nonEmpty).min(1)])
const algorithm = z.enum([...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS])
const seconds = z.number().int().nonnegative()
const httpUrl = z.url({ protocol: /^https?$/ })

/** A custom claim check: return `false` or a reason string to reject the token. Code-only (not YAML). */
export type ClaimsCheck = (claims: Readonly<Record<string, unknown>>) => boolean | string | undefined

/** PEM blocks, JWK JSON, or anything node:crypto reads as a public key (CVE-2023-48223 class). */
function looksLikeKey(secret: string): boolean {
  const trimmed = secret.trim()
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(trimmed) || /^\{[\s\S]*"kty"/.test(trimmed)) return true
  try {
    createPublicKey(trimmed)
    return true
  } catch {
    return false
  }
}

const issuerSchema = z
  .object({
    /** Exact `iss` value. Presets derive it where they can (cognito from region + user pool, entra from tenant). */
    issuer: nonEmpty.optional(),
    preset: z.enum(PRESET_NAMES).default('generic'),
    audience: audience.optional(),
    /** Accepted `alg`s. Default: the preset's, else every asymmetric algorithm. HS* needs `hsSecret`. */
    algorithms: z.array(algorithm).min(1).optional(),
    clockToleranceSec: seconds.max(600).optional(),
    requiredClaims: z.array(nonEmpty).default([]),
    /** Required JOSE `typ`, e.g. `at+jwt` (RFC 9068); `application/` prefix and case are ignored. */
    typ: nonEmpty.optional(),
    /** Reject tokens whose `iat` is older than this, whatever their `exp`. */
    maxTokenAgeSec: z.number().int().positive().optional(),
    /** RFC 8707 resource indicator this API answers for: the token's `aud` must contain it. */
    resource: nonEmpty.optional(),
    /** Required value of the token's `type` claim (Mercury access tokens say `access`). */
    tokenType: nonEmpty.optional(),
    jwksUri: httpUrl.optional(),
    discoveryUrl: httpUrl.optional(),
    /** Use OIDC discovery to find the key set (default). When false: `{issuer}/.well-known/jwks.json`. */
    discovery: z.boolean().default(true),
    /** Static keys: PEM (SPKI or X.509 certificate) strings or public JWKs. Nothing is fetched. */
    publicKeys: z
      .array(z.union([nonEmpty, z.record(z.string(), z.unknown())]))
      .min(1)
      .optional(),
    /** Shared HMAC secret: only with HS* `algorithms`, never beside public keys. */
    hsSecret: z
      .string()
      .min(32, 'an HS secret must be at least 32 characters')
      .refine(
        (secret) => !looksLikeKey(secret),
        'a public key (PEM or JWK) is not a secret: whoever has it could sign',
      )
      .optional(),
    /** Preset parameters. */
    tenantId: nonEmpty.optional(),
    region: nonEmpty.optional(),
    userPoolId: nonEmpty.optional(),
    tokenUse: z.enum(['access', 'id']).optional(),
    claimsCheck: z
      .custom<ClaimsCheck>((value) => typeof value === 'function', 'must be a function')
      .optional(),
  })
  .strict()
  .superRefine((issuer, ctx) => {
    const symmetric = issuer.algorithms?.filter(isSymmetricAlgorithm) ?? []
    if (issuer.hsSecret !== undefined) {
      if (issuer.publicKeys || issuer.jwksUri) {
        ctx.addIssue({
          code: 'custom',
          path: ['hsSecret'],
          message: 'an HS secret cannot be mixed with public keys',
        })
      }
      if (!issuer.algorithms || symmetric.length !== issuer.algorithms.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['algorithms'],
          message: 'with hsSecret, list only HS256/HS384/HS512',
        })
      }
    } else if (symmetric.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithms'],
        message: 'HS algorithms need hsSecret (explicit opt-in)',
      })
    }
  })

const hostPort = z.object({ host: nonEmpty, port: z.number().int().positive() }).strict()

const redisSchema = z
  .object({
    /** `redis://` / `rediss://` URL of a standalone server. `REDIS_URL`. */
    url: nonEmpty.optional(),
    /** Prefix of every key and channel Portcullis uses. */
    keyPrefix: nonEmpty.default('portcullis:'),
    cluster: z
      .object({ nodes: z.array(hostPort).min(1) })
      .strict()
      .optional(),
    sentinel: z
      .object({ sentinels: z.array(hostPort).min(1), name: nonEmpty })
      .strict()
      .optional(),
    /** Extra ioredis options (TLS, password, db...). */
    options: z.record(z.string(), z.unknown()).optional(),
    /** An ioredis client (standalone, Sentinel or Cluster) to use instead of opening one. Code only. */
    client: z
      .custom<object>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { duplicate?: unknown }).duplicate === 'function',
        'must be an ioredis Redis or Cluster instance',
      )
      .optional(),
    commandTimeoutMs: z.number().int().positive().default(1000),
    /** How long in-process state is trusted once Redis is unreachable; then `onRedisDown` applies. */
    maxStaleMs: z.number().int().nonnegative().default(30_000),
    /** `closed` (default): past `maxStaleMs`, answer 503 `auth_unavailable`; `open`: keep serving from memory. */
    onRedisDown: z.enum(['closed', 'open']).default('closed'),
    /** Enable keyspace notifications (if the server allows CONFIG SET) so revocations written without PUBLISH arrive at once. */
    keyspaceEvents: z.enum(['auto', 'off']).default('auto'),
    /**
     * Share validated tokens between instances (L2). Off: a local signature check is cheaper than a GET.
     * `true` is `{ layout: 'portcullis' }`: `{prefix}token:{sha256 hex}` → `{ header, claims }`. `layout: 'mercury'`
     * reads and writes Mercury's own key, `validated_token:{first 32 hex of sha256}` (unprefixed), with the
     * verified claims object as the value: an assumption, as no sample of Mercury's value was available. Either
     * layout reads both value shapes; anything else is a miss, and a hit re-runs every claim check.
     */
    tokenCache: z
      .union([
        z.boolean(),
        z
          .object({
            enabled: z.boolean().default(true),
            layout: z.enum(['portcullis', 'mercury']).default('portcullis'),
          })
          .strict(),
      ])
      .default(false),
  })
  .strict()

const protectedResourceSchema = z
  .object({
    /** This API's resource identifier (RFC 9728 `resource`). */
    resource: httpUrl,
    /** Where the metadata document is served; default per RFC 9728 §3.1. */
    metadataUrl: httpUrl.optional(),
    authorizationServers: z.array(nonEmpty).optional(),
    scopesSupported: z.array(nonEmpty).optional(),
    resourceName: nonEmpty.optional(),
    resourceDocumentation: httpUrl.optional(),
  })
  .strict()

export const configSchema = z
  .object({
    issuers: z.array(issuerSchema).default([]),
    /** Default audience for issuers that name none. */
    audience: audience.optional(),
    clockToleranceSec: seconds.max(600).default(30),
    /** Longest bearer token accepted, in bytes; longer ones are refused before parsing. */
    maxTokenBytes: z.number().int().min(256).max(65_536).default(8192),
    realm: nonEmpty.optional(),
    protectedResource: protectedResourceSchema.optional(),
    tokenCache: z
      .object({
        enabled: z.boolean().default(true),
        maxEntries: z.number().int().positive().default(10_000),
        /** Upper bound on the memory the cache may hold, estimated from token and claim sizes. */
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
        /** How long a validated token is remembered (never past its `exp`). `CACHE_EXPIRY_TIME`. */
        ttlSec: z.number().int().positive().default(900),
      })
      .strict()
      .prefault({}),
    jwks: z
      .object({
        /** How long a fetched key set is fresh. `JWKS_CACHE_TTL`. */
        ttlSec: z.number().int().positive().default(600),
        cooldownSec: seconds.default(30),
        staleIfErrorSec: seconds.default(6 * 3600),
        timeoutMs: z.number().int().positive().default(5000),
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(512 * 1024),
      })
      .strict()
      .prefault({}),
    redis: redisSchema.optional(),
    revocation: z
      .object({
        /** `eventual`: an in-process view kept current by pub/sub (no round trip); `strict`: ask Redis every request. */
        consistency: z.enum(['eventual', 'strict']).default('eventual'),
        /** How often the view is compared with Redis (version check; a full rebuild when it moved). */
        resyncIntervalSec: z.number().positive().default(30),
        /** How long a subject cut-off is kept: at least the longest token lifetime. */
        subjectRetentionSec: z
          .number()
          .int()
          .positive()
          .default(7 * 24 * 3600),
        /** Also honour Mercury's own `revoked_token:{jti}` keys (written directly by Mercury, unprefixed). */
        mercuryRevokedTokens: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (IPs or CIDRs). */
    trustedProxies: z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])).default([]),
    /**
     * Refuse credentials that arrived over plain HTTP (400 `invalid_request`). Default: on, except when
     * `NODE_ENV` is `development` or `test`. A direct loopback client (no proxy headers) is never refused.
     */
    requireHttps: z.boolean().optional(),
    rateLimit: z
      .object({
        enabled: z.boolean().default(true),
        /** Failed attempts per client address allowed within `windowSec`; more answer 429 for `blockSec`. */
        failures: z.number().int().positive().default(20),
        windowSec: z.number().int().positive().default(60),
        blockSec: z.number().int().positive().default(60),
      })
      .strict()
      .prefault({}),
    /** Mercury (Wazobia's token service): project resolver, project tokens, service discovery. */
    mercury: mercuryConfigSchema.optional(),
    /** Project (service-to-service) credentials: `x-app-id` / `x-app-secret`, resolvers, signed requests. */
    projects: projectsConfigSchema.optional(),
    /** This service's identity: `id` (`SERVICE_ID`), or discovered from Mercury with `clientId`/`clientSecret`. */
    service: serviceConfigSchema.optional(),
    /** Plain API keys (`x-api-key` / `Authorization: ApiKey`), stored as peppered hashes; accepted in `any` mode. */
    apiKeys: apiKeysConfigSchema.optional(),
    /** Who may in, beyond a valid token: users, domains, patterns, claims (global and per issuer). */
    allow: allowRulesConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    config.issuers.forEach((issuer, index) => {
      if (issuer.audience === undefined && config.audience === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['issuers', index, 'audience'],
          message: 'an audience is required (per issuer, or `audience` at the top level)',
        })
      }
    })
  })

/** Configuration as written (YAML, environment or code): defaults may be left out. */
export type PortcullisConfigInput = z.input<typeof configSchema>
/** Configuration after validation, with every default filled in. */
export type PortcullisConfig = z.output<typeof configSchema>
export type IssuerConfigInput = z.input<typeof issuerSchema>
export type IssuerConfig = z.output<typeof issuerSchema>
export type ProtectedResourceConfig = z.output<typeof protectedResourceSchema>
export type RedisConfig = z.output<typeof redisSchema>
