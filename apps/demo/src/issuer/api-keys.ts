import { createHash, timingSafeEqual } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { type ApiKeyConfig, parseApiKeyConfig } from './claims-config.js'

/** An API key as the issuer knows it: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  id: string
  name: string
  userUuid: string
  scopes: readonly string[]
  /** From the key's YAML file; an inline `api_key_config` replaces it for one request. */
  config: ApiKeyConfig
  keySha256: Buffer
}

const KEY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/
/** `pcd.<id>.<secret>`: the id finds the record, the whole key is hashed and compared. */
const KEY_FORMAT = /^pcd\.([a-z0-9][a-z0-9-]{0,62})\.([A-Za-z0-9_-]{16,128})$/

const keyFileSchema = z
  .object({
    id: z.string().regex(KEY_ID),
    name: z.string().min(1),
    // A random key has no dictionary to attack, so SHA-256 suffices; passwords get scrypt.
    key_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the lowercase hex SHA-256 of the key'),
    user_uuid: z.string().min(1),
    scopes: z.array(z.string().min(1)).default([]),
    claims: z.unknown().optional(),
    dynamic_claims: z.unknown().optional(),
  })
  .strict()

export class ApiKeys {
  readonly #byId = new Map<string, ApiKeyRecord>()

  /** Reads every `*.yaml` in `dir`; a bad file fails start-up, naming the file and field. */
  static async load(dir: string): Promise<ApiKeys> {
    const keys = new ApiKeys()
    const files = (await readdir(dir).catch(() => [])).filter((file) => /\.ya?ml$/.test(file)).sort()
    for (const file of files) {
      const path = join(dir, file)
      const parsed = keyFileSchema.safeParse(parse(await readFile(path, 'utf8')))
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`)
      }
      const entry = parsed.data
      keys.#byId.set(entry.id, {
        id: entry.id,
        name: entry.name,
        userUuid: entry.user_uuid,
        scopes: entry.scopes,
        config: parseApiKeyConfig({ claims: entry.claims, dynamic_claims: entry.dynamic_claims }, path),
        keySha256: Buffer.from(entry.key_sha256, 'hex'),
      })
    }
    return keys
  }

  /** The record of a presented key, or undefined (unknown id and wrong secret look the same). */
  verify(presented: string): ApiKeyRecord | undefined {
    const match = KEY_FORMAT.exec(presented.trim())
    const digest = createHash('sha256').update(presented.trim()).digest()
    const record = match ? this.#byId.get(match[1] as string) : undefined
    if (!record) return undefined
    return timingSafeEqual(digest, record.keySha256) ? record : undefined
  }

  list(): ApiKeyRecord[] {
    return [...this.#byId.values()]
  }
}
