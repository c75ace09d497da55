import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { applyEnv } from './env.js'
import { ConfigError } from './errors.js'
import { configSchema, type PortcullisConfig } from './schema.js'

export interface LoadConfigOptions {
  /** YAML file; default `PORTCULLIS_CONFIG`, else `./portcullis.yaml` (which may be absent). */
  path?: string
  /** Environment to read; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Values set in code, beneath the file and the environment. */
  defaults?: Record<string, unknown>
}

/**
 * Reads `portcullis.yaml` and the environment, validates the result, and returns a complete config.
 * Throws `ConfigError` naming the file and every field at fault.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PortcullisConfig> {
  const env = options.env ?? process.env
  const explicit = options.path ?? env.PORTCULLIS_CONFIG
  const path = resolve(explicit ?? 'portcullis.yaml')

  let fromFile: Record<string, unknown> = {}
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (explicit !== undefined || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }], path)
    }
  }
  if (text !== undefined) {
    let document: unknown
    try {
      document = parseYaml(text)
    } catch (error) {
      throw new ConfigError([{ path: '', message: `not valid YAML: ${(error as Error).message}` }], path)
    }
    if (document !== null && document !== undefined) {
      if (typeof document !== 'object' || Array.isArray(document)) {
        throw new ConfigError([{ path: '', message: 'the file must hold a mapping' }], path)
      }
      fromFile = document as Record<string, unknown>
    }
  }

  const merged = applyEnv({ ...options.defaults, ...fromFile }, env)
  const parsed = configSchema.safeParse(merged)
  if (!parsed.success) throw ConfigError.fromZod(parsed.error, text === undefined ? 'environment' : path)
  return parsed.data
}
