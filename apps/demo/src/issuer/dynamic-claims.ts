import type { ApiKeyConfig, DynamicClaim, HttpClaimSource } from './claims-config.js'

/** What a dynamic claim may depend on. */
export interface ClaimContext {
  userId: string
  email: string
  apiKeyId: string
  projectUuid: string
  /** The issuer's own origin, for `{issuer}` in URLs. */
  issuer: string
}

/** A function a dynamic claim can name: `function: billingPlan`. */
export type ClaimFunction = (context: ClaimContext, signal: AbortSignal) => unknown

/** Why a token could not be issued because of its claims configuration. */
export class ClaimConfigError extends Error {
  override readonly name = 'ClaimConfigError'
}

/** A dynamic claim's source failed (timeout, bad status, missing field): issuance is refused, naming it. */
export class DynamicClaimError extends Error {
  override readonly name = 'DynamicClaimError'
}

export interface ResolveOptions {
  functions: ReadonlyMap<string, ClaimFunction>
  /**
   * Origins an HTTP claim may call. Inline configurations come from the caller, so they are held to this list
   * (the issuer's own origin by default); configurations from files are trusted.
   */
  allowedOrigins: ReadonlySet<string> | 'any'
}

const FUNCTION_TIMEOUT_MS = 2000
const MAX_RESPONSE_BYTES = 64 * 1024

/** Static claims, then every dynamic claim resolved in parallel; rejects on the first required failure. */
export async function resolveClaims(
  config: ApiKeyConfig,
  context: ClaimContext,
  options: ResolveOptions,
): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = { ...config.claims }
  const resolved = await Promise.all(
    config.dynamic_claims.map(async (claim) => {
      try {
        return [claim.claim, await resolveOne(claim, context, options)] as const
      } catch (error) {
        if (claim.optional && error instanceof DynamicClaimError) return undefined
        throw error
      }
    }),
  )
  for (const entry of resolved) if (entry && entry[1] !== undefined) claims[entry[0]] = entry[1]
  return claims
}

async function resolveOne(claim: DynamicClaim, context: ClaimContext, options: ResolveOptions) {
  if (claim.function !== undefined) {
    const fn = options.functions.get(claim.function)
    if (!fn)
      throw new ClaimConfigError(`dynamic claim "${claim.claim}": no function named "${claim.function}"`)
    return withTimeout(FUNCTION_TIMEOUT_MS, `function ${claim.function}`, claim.claim, (signal) =>
      fn(context, signal),
    )
  }
  return fetchClaim(claim.claim, claim.http as HttpClaimSource, context, options)
}

async function fetchClaim(
  name: string,
  source: HttpClaimSource,
  context: ClaimContext,
  options: ResolveOptions,
): Promise<unknown> {
  const url = expandUrl(source.url, context, name)
  if (options.allowedOrigins !== 'any' && !options.allowedOrigins.has(url.origin)) {
    throw new ClaimConfigError(
      `dynamic claim "${name}": ${url.origin} is not an allowed origin for inline configuration`,
    )
  }
  const label = `${source.method} ${url.href}`
  const answer = await withTimeout(source.timeout_ms, label, name, async (signal) => {
    const response = await fetch(url, {
      method: source.method,
      headers: {
        accept: 'application/json',
        ...(source.body !== undefined && { 'content-type': 'application/json' }),
        ...source.headers,
      },
      ...(source.body !== undefined && { body: JSON.stringify(expandJson(source.body, context)) }),
      signal,
      redirect: 'error',
    })
    const text = await response.text()
    if (!response.ok)
      throw new DynamicClaimError(`dynamic claim "${name}": ${label} answered ${response.status}`)
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES)
      throw new DynamicClaimError(`dynamic claim "${name}": ${label} answered more than 64 KiB`)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new DynamicClaimError(`dynamic claim "${name}": ${label} did not answer JSON`)
    }
  })
  if (source.response_field === undefined) return answer
  const value = readPath(answer, source.response_field)
  if (value === undefined) {
    throw new DynamicClaimError(`dynamic claim "${name}": ${label} has no field "${source.response_field}"`)
  }
  return value
}

async function withTimeout<T>(
  ms: number,
  label: string,
  claim: string,
  run: (signal: AbortSignal) => T | Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new DynamicClaimError(`dynamic claim "${claim}": ${label} timed out after ${ms} ms`))
    }, ms)
  })
  try {
    return await Promise.race([Promise.resolve().then(() => run(controller.signal)), timeout])
  } catch (error) {
    if (error instanceof DynamicClaimError || error instanceof ClaimConfigError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new DynamicClaimError(`dynamic claim "${claim}": ${label} failed: ${reason}`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}

const PLACEHOLDER = /\{([a-z_]+)\}/g

function placeholderValue(name: string, context: ClaimContext, claim: string): string {
  switch (name) {
    case 'user_id':
      return context.userId
    case 'api_key_id':
      return context.apiKeyId
    case 'project_uuid':
      return context.projectUuid
    case 'email':
      return context.email
    default:
      throw new ClaimConfigError(`dynamic claim "${claim}": unknown placeholder {${name}}`)
  }
}

/** `{issuer}` may only open the URL (it is an origin); every other value is URL-encoded. */
function expandUrl(template: string, context: ClaimContext, claim: string): URL {
  const withIssuer = template.startsWith('{issuer}')
    ? context.issuer + template.slice('{issuer}'.length)
    : template
  const expanded = withIssuer.replace(PLACEHOLDER, (_, name: string) =>
    encodeURIComponent(placeholderValue(name, context, claim)),
  )
  let url: URL
  try {
    url = new URL(expanded)
  } catch {
    throw new ClaimConfigError(`dynamic claim "${claim}": "${template}" is not an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ClaimConfigError(`dynamic claim "${claim}": only http and https URLs are called`)
  return url
}

function expandJson(value: unknown, context: ClaimContext): unknown {
  if (typeof value === 'string')
    return value.replace(PLACEHOLDER, (_, name: string) => placeholderValue(name, context, 'body'))
  if (Array.isArray(value)) return value.map((item) => expandJson(item, context))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandJson(item, context)]))
  return value
}

/** `a.b.0.c` into parsed JSON; own properties only, so `__proto__` and friends read nothing. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    if (!Object.hasOwn(current, segment)) return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}
