import { z } from 'zod'

const headerName = z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name')

/** One key, as operators store it: never the key itself, only its peppered hash (`hashApiKey`). */
export const apiKeyRecordSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'letters, digits and . _ ~ - (at most 128)'),
    /** Lowercase hex HMAC-SHA256 of the key, keyed with the pepper. */
    hash: z.string().regex(/^[0-9a-f]{64}$/, 'the hex HMAC-SHA256 of the key (hashApiKey), never the key'),
    /** Who the key belongs to: becomes `user.id`. */
    owner: z.string().min(1),
    scopes: z.array(z.string().min(1)).default([]),
    /** ISO 8601 instant after which the key is refused. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()

/**
 * Plain API keys (the Tom design's `api_key` / `hybrid` modes): accepted in `any` mode beside JWTs and
 * project credentials (`policy.accept` narrows which count), in `x-api-key` or `Authorization: ApiKey <key>`.
 */
export const apiKeysConfigSchema = z
  .object({
    /** Secret pepper keying every key hash (≥ 32 chars); rotate it and every key must be re-issued. */
    pepper: z.string().min(32, 'the pepper must be at least 32 characters'),
    header: headerName.default('x-api-key'),
    /** Keys in configuration. With `redis`, keys are also looked up at `{prefix}apikey:{hash}` (JSON record). */
    keys: z.array(apiKeyRecordSchema).default([]),
    cache: z
      .object({
        ttlSec: z.number().int().positive().default(300),
        negativeTtlSec: z.number().int().positive().default(30),
        maxEntries: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = new Set<string>()
    config.keys.forEach((key, index) => {
      if (ids.has(key.id))
        ctx.addIssue({ code: 'custom', path: ['keys', index, 'id'], message: `${key.id} is listed twice` })
      ids.add(key.id)
    })
  })

export type ApiKeysConfig = z.output<typeof apiKeysConfigSchema>
export type ApiKeyRecord = z.output<typeof apiKeyRecordSchema>
