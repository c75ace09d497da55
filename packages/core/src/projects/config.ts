import { z } from 'zod'

const nonEmpty = z.string().min(1)
const positiveInt = z.number().int().positive()
const seconds = z.number().int().nonnegative()
const headerName = z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name')

/** App ids go into cache keys, Redis keys and Basic credentials, so they are held to a plain alphabet. */
export const APP_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/

/** A static project record: the secret is given only as its HMAC (`hashProjectSecret`), never in clear. */
export const staticProjectSchema = z
  .object({
    appId: z.string().regex(APP_ID_PATTERN, 'letters, digits and . _ ~ - (at most 128)'),
    secretHash: z
      .string()
      .regex(
        /^[0-9a-f]{64}$/,
        'the lowercase hex HMAC-SHA256 of the secret (hashProjectSecret), never the secret',
      ),
    projectUuid: nonEmpty,
    projectName: nonEmpty.optional(),
    enabled: z.boolean().default(true),
    enabledServices: z.array(nonEmpty).default([]),
    scopes: z.array(nonEmpty).default([]),
    secretVersion: z.number().int().nonnegative().default(0),
  })
  .strict()

export const signedRequestsConfigSchema = z
  .object({
    /**
     * `off` (default); `wazobia`: `x-timestamp` (seconds) + `x-signature` = hex HMAC-SHA256 over
     * `METHOD + path + ?query + timestamp`, as Wazobia's middleware checks; `strict`: the same plus the
     * SHA-256 of the raw body, and replays refused.
     */
    mode: z.enum(['off', 'wazobia', 'strict']).default('off'),
    /** Accepted clock difference either way. */
    windowSec: positiveInt.max(3600).default(300),
    /** Remember signatures and refuse a second use. Default: on in `strict`, off in `wazobia`. */
    replayProtection: z.boolean().optional(),
    /** Paths that need no signature: exact, or a prefix ending in `/*` (e.g. `/health`, `/public/*`). */
    exemptPaths: z.array(z.string().startsWith('/')).default([]),
    timestampHeader: headerName.default('x-timestamp'),
    signatureHeader: headerName.default('x-signature'),
  })
  .strict()

/**
 * The `projects` section: app-credential authentication (`x-app-id` / `x-app-secret`) and signed requests.
 * Superset of the former `projects: { signingSecret, defaultProjectId }`.
 */
export const projectsConfigSchema = z
  .object({
    /** `SIGNATURE_SHARED_SECRET`: keys secret HMACs and every request signature. */
    signingSecret: nonEmpty.optional(),
    /** `NEXUS_ID`, kept for compatibility. */
    defaultProjectId: nonEmpty.optional(),
    headers: z
      .object({
        appId: headerName.default('x-app-id'),
        appSecret: headerName.default('x-app-secret'),
        /** When a client sends it, it must name this service. */
        serviceId: headerName.default('x-service-id'),
      })
      .strict()
      .prefault({}),
    /** Where project records come from, tried in this order; the first that knows the app id answers. */
    resolvers: z
      .array(z.enum(['static', 'redis', 'mercury', 'function']))
      .min(1)
      .default(['mercury']),
    static: z.array(staticProjectSchema).default([]),
    redis: z
      .object({
        /** Hash per app id (fields in `RedisHashProjectResolver`), read without the Portcullis prefix. */
        keyTemplate: nonEmpty
          .refine((value) => value.includes('{appId}'), 'must contain {appId}')
          .default('project:{appId}'),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        /** How long a resolved project is trusted (`CACHE_EXPIRY_TIME`). */
        ttlSec: positiveInt.default(900),
        /** How long a refused app id + secret is refused without asking again. */
        negativeTtlSec: positiveInt.default(30),
        /** How long past `ttlSec` a project is still served while every resolver is unavailable. */
        staleIfErrorSec: seconds.default(300),
        maxEntries: positiveInt.default(10_000),
      })
      .strict()
      .prefault({}),
    /** Brute-force brakes on lookups that reach a resolver (cache hits are never limited). */
    limits: z
      .object({
        /** Refused lookups per app id within `windowSec` before that app id is answered 429. */
        maxFailuresPerAppId: positiveInt.default(20),
        windowSec: positiveInt.default(60),
        /** Resolver lookups per second across the process (token bucket). */
        lookupsPerSec: positiveInt.default(50),
        lookupBurst: positiveInt.default(100),
      })
      .strict()
      .prefault({}),
    signedRequests: signedRequestsConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>()
    config.static.forEach((project, index) => {
      if (seen.has(project.appId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['static', index, 'appId'],
          message: `${project.appId} is listed twice`,
        })
      }
      seen.add(project.appId)
    })
    if (config.resolvers.includes('static') && config.static.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['static'],
        message: 'the static resolver needs at least one project',
      })
    }
  })

export type ProjectsConfigInput = z.input<typeof projectsConfigSchema>
export type ProjectsConfig = z.output<typeof projectsConfigSchema>
export type StaticProjectInput = z.input<typeof staticProjectSchema>
export type SignedRequestsConfig = z.output<typeof signedRequestsConfigSchema>
