import type { ProjectCredentials } from './credentials.js'
import type { ProjectRecord } from './project.js'
import { toProjectRecord } from './project-record.js'
import type { ProjectResolver } from './resolver.js'
import { secretHashesEqual } from './secret-hash.js'

/** Reads a whole Redis hash; `{}` when the key does not exist (as ioredis `HGETALL` answers). */
export interface HashReader {
  hgetall(key: string): Promise<Record<string, string>>
}

export interface RedisHashProjectResolverOptions {
  reader: HashReader
  /** Default `project:{appId}`. */
  keyTemplate?: string
}

/**
 * Project records kept as Redis hashes, one per app id. Fields (snake_case or camelCase):
 * `secret_hash` (hex `hashProjectSecret`, required), `project_uuid` (required), `project_name`,
 * `enabled` (`true`/`false`/`1`/`0`, default true), `enabled_services` and `scopes` (JSON array or
 * comma-separated), `secret_version` (integer, default 0).
 */
export class RedisHashProjectResolver implements ProjectResolver {
  readonly name = 'redis'
  readonly #reader: HashReader
  readonly #keyTemplate: string

  constructor(options: RedisHashProjectResolverOptions) {
    this.#reader = options.reader
    this.#keyTemplate = options.keyTemplate ?? 'project:{appId}'
  }

  async resolve(credentials: ProjectCredentials): Promise<ProjectRecord | undefined> {
    const hash = await this.#reader.hgetall(this.#keyTemplate.replaceAll('{appId}', credentials.appId))
    if (Object.keys(hash).length === 0) return undefined
    const stored = field(hash, 'secret_hash', 'secretHash')
    if (stored === undefined || !secretHashesEqual(credentials.secretHash, stored.toLowerCase()))
      return undefined
    const version = field(hash, 'secret_version', 'secretVersion')
    return toProjectRecord({
      projectUuid: field(hash, 'project_uuid', 'projectUuid'),
      projectName: field(hash, 'project_name', 'projectName'),
      enabled: parseBoolean(field(hash, 'enabled')),
      enabledServices: parseList(field(hash, 'enabled_services', 'enabledServices')),
      scopes: parseList(field(hash, 'scopes')),
      secretVersion: version === undefined ? undefined : Number(version),
    })
  }
}

function field(hash: Record<string, string>, ...names: string[]): string | undefined {
  for (const name of names) if (Object.hasOwn(hash, name)) return hash[name]
  return undefined
}

function parseBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  const lower = value.trim().toLowerCase()
  if (lower === 'true' || lower === '1') return true
  if (lower === 'false' || lower === '0') return false
  throw new Error('enabled must be true, false, 1 or 0')
}

function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed)
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw new Error('a list field must be a JSON array of strings')
    }
    return parsed
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}
