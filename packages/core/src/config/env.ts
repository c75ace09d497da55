import { parse as parseYamlScalar } from 'yaml'

type Env = Readonly<Record<string, string | undefined>>
type Mutable = Record<string, unknown>

/**
 * Environment variables Wazobia services already set, and where they land in the config.
 * Seconds stay seconds; `PORTCULLIS_*` variables (below) override these.
 */
const WAZOBIA_NAMES: Record<string, { path: string[]; number?: boolean }> = {
  REDIS_URL: { path: ['redis', 'url'] },
  MERCURY_BASE_URL: { path: ['mercury', 'baseUrl'] },
  SIGNATURE_SHARED_SECRET: { path: ['projects', 'signingSecret'] },
  SERVICE_ID: { path: ['service', 'id'] },
  CLIENT_ID: { path: ['service', 'clientId'] },
  CLIENT_SECRET: { path: ['service', 'clientSecret'] },
  NEXUS_ID: { path: ['projects', 'defaultProjectId'] },
  CACHE_EXPIRY_TIME: { path: ['tokenCache', 'ttlSec'], number: true },
  JWKS_CACHE_TTL: { path: ['jwks', 'ttlSec'], number: true },
}

/** Shorthands for the single-issuer case: `PORTCULLIS_ISSUER` etc. describe `issuers[0]`. */
const ISSUER_SHORTHANDS: Record<string, string> = {
  PORTCULLIS_ISSUER: 'issuer',
  PORTCULLIS_AUDIENCE: 'audience',
  PORTCULLIS_PRESET: 'preset',
  PORTCULLIS_JWKS_URI: 'jwksUri',
}

/**
 * Applies environment variables over a config object (returns a new object):
 * - the Wazobia names above;
 * - `PORTCULLIS_ISSUER` / `_AUDIENCE` / `_PRESET` / `_JWKS_URI` for the first issuer;
 * - any `PORTCULLIS_A__B_C=value` sets `a.bC` (double underscore nests, single underscore camel-cases);
 *   values are read as YAML scalars, so `30` is a number and `true` a boolean.
 */
export function applyEnv(base: Mutable, env: Env): Mutable {
  const config = structuredClone(base)
  for (const [name, target] of Object.entries(WAZOBIA_NAMES)) {
    const value = env[name]
    if (value === undefined || value === '') continue
    setPath(config, target.path, target.number ? toNumber(value) : value)
  }
  // One Wazobia variable sets both caches it governs there: validated tokens and project lookups.
  const cacheExpiry = env.CACHE_EXPIRY_TIME
  if (cacheExpiry && isObject(config.projects))
    setPath(config, ['projects', 'cache', 'ttlSec'], toNumber(cacheExpiry))
  for (const [name, value] of Object.entries(env)) {
    // PORTCULLIS_CONFIG names the file; PORTCULLIS_CLI_* belong to the CLI, not to a service's config.
    if (
      value === undefined ||
      !name.startsWith('PORTCULLIS_') ||
      name === 'PORTCULLIS_CONFIG' ||
      name.startsWith('PORTCULLIS_CLI_')
    )
      continue
    const issuerField = ISSUER_SHORTHANDS[name]
    if (issuerField) {
      setIssuerField(config, issuerField, value)
      continue
    }
    const path = name
      .slice('PORTCULLIS_'.length)
      .split('__')
      .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    setPath(config, path, parseYamlScalar(value))
  }
  return config
}

function isObject(value: unknown): value is Mutable {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function setIssuerField(config: Mutable, field: string, value: string): void {
  const issuers = Array.isArray(config.issuers) ? (config.issuers as Mutable[]) : []
  const first = issuers[0] ?? {}
  first[field] = field === 'audience' && value.includes(',') ? value.split(',').map((s) => s.trim()) : value
  issuers[0] = first
  config.issuers = issuers
}

function setPath(config: Mutable, path: readonly string[], value: unknown): void {
  let node = config
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {}
    node = node[key] as Mutable
  }
  node[path[path.length - 1] as string] = value
}

// Left as the raw string when not numeric, so validation names the field instead of silently dropping it.
function toNumber(value: string): number | string {
  const number = Number(value)
  return value.trim() !== '' && Number.isFinite(number) ? number : value
}
