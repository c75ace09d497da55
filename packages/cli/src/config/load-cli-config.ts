import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { PortcullisConfig } from '@portcullis/core'
import { CliError } from '../cli-error.js'

export interface LoadedConfig {
  config: PortcullisConfig
  /** The file read, or undefined when only the environment was (no --config, no PORTCULLIS_CONFIG, no ./portcullis.yaml). */
  source: string | undefined
}

/**
 * Exactly what a service does at start-up: `loadConfig({ path })` over the file and the environment
 * (`PORTCULLIS_*`, `REDIS_URL`, `SIGNATURE_SHARED_SECRET`...). A `ConfigError` is exit 3 naming each field.
 */
export async function loadCliConfig(
  path: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> {
  const explicit = path ?? env.PORTCULLIS_CONFIG
  const source =
    explicit !== undefined
      ? resolve(explicit)
      : existsSync('portcullis.yaml')
        ? resolve('portcullis.yaml')
        : undefined
  const { ConfigError, loadConfig } = await import('@portcullis/core')
  try {
    return { config: await loadConfig({ ...(path !== undefined && { path }), env: serviceEnv(env) }), source }
  } catch (error) {
    if (error instanceof ConfigError) throw CliError.config(error.message, error.issues)
    throw error
  }
}

export const CONFIG_OPTION = [
  '--config <file>',
  'portcullis.yaml to use (default: PORTCULLIS_CONFIG, else ./portcullis.yaml)',
] as const

/**
 * The environment a service would see: without the CLI's own `PORTCULLIS_CLI_*` variables, which loadConfig
 * would otherwise read as config fields (`PORTCULLIS_CLI_HOME` → `cliHome`, an unknown key).
 */
function serviceEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PORTCULLIS_CLI_')))
}

/**
 * The config for a `createAuth` that lives for one command. A service's Redis command timeout (1 s by
 * default) is tuned for requests and also caps the first revocation sync; a one-off command from a busy
 * laptop may need longer to connect, and would otherwise fail closed (`auth_unavailable`) or have a
 * revocation queued in a process about to end.
 */
export function forOneShot(config: PortcullisConfig): PortcullisConfig {
  if (!config.redis) return config
  return {
    ...config,
    redis: { ...config.redis, commandTimeoutMs: Math.max(config.redis.commandTimeoutMs, 5000) },
  }
}
