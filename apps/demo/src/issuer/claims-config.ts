import { z } from 'zod'

/** Claims the issuer owns: a key's configuration can never set them. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'type',
  'scope',
  'project_uuid',
  'kid',
])

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/

/** Why `name` cannot be configured, or undefined when it can. */
function claimNameProblem(name: string): string | undefined {
  if (!CLAIM_NAME.test(name)) return 'a claim name: letters, digits, _ . : - (at most 64)'
  if (RESERVED_CLAIMS.has(name)) return 'is set by the issuer and cannot be configured'
  return undefined
}

const claimName = z.string().superRefine((name, ctx) => {
  const problem = claimNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

// Keys are checked one by one so the error names the claim (`claims.iss: ...`).
const staticClaims = z.record(z.string(), z.json()).superRefine((claims, ctx) => {
  for (const name of Object.keys(claims)) {
    const problem = claimNameProblem(name)
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem })
  }
})

const httpSourceSchema = z
  .object({
    /** May contain `{user_id}`, `{api_key_id}`, `{project_uuid}`, `{email}`; `{issuer}` only at the start. */
    url: z.string().min(1),
    method: z.enum(['GET', 'POST']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    /** JSON body for POST; placeholders in its string values are replaced. */
    body: z.json().optional(),
    /** Dot path into the JSON answer (`data.account.seats`, `items.0.id`); absent: the whole answer. */
    response_field: z.string().min(1).optional(),
    timeout_ms: z.number().int().min(1).max(10_000).default(2000),
  })
  .strict()

const dynamicClaimSchema = z
  .object({
    claim: claimName,
    /** Name of a function registered with the issuer (`claimFunctions`). */
    function: z.string().min(1).optional(),
    http: httpSourceSchema.optional(),
    /** When true a failure leaves the claim out; by default it fails the whole issuance with a clear error. */
    optional: z.boolean().default(false),
  })
  .strict()
  .refine((claim) => (claim.function === undefined) !== (claim.http === undefined), {
    message: 'give exactly one of `function` or `http`',
  })

/** Per-API-key token configuration: a YAML file per key, or `api_key_config` inline in `POST /token`. */
export const apiKeyConfigSchema = z
  .object({
    /** Static claims, copied into every token. */
    claims: staticClaims.default({}),
    dynamic_claims: z.array(dynamicClaimSchema).max(20).default([]),
  })
  .strict()

export type ApiKeyConfig = z.output<typeof apiKeyConfigSchema>
export type DynamicClaim = z.output<typeof dynamicClaimSchema>
export type HttpClaimSource = z.output<typeof httpSourceSchema>

/** Parses a configuration, or throws an `Error` whose message names the field at fault. */
export function parseApiKeyConfig(value: unknown, where: string): ApiKeyConfig {
  const parsed = apiKeyConfigSchema.safeParse(value ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new Error(`${where}: ${path}${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}
