import type { PortcullisConfig } from '@portcullis/core'
import { CliError } from '../cli-error.js'
import { forOneShot } from '../config/load-cli-config.js'
import type { RedisClient, RedisConfig } from './open-redis.js'

export type RevocationTarget =
  | { kind: 'jti'; id: string; expiresAt: number }
  | { kind: 'sub'; id: string; before: number }
  | { kind: 'project'; id: string }

export function requireRedis(config: PortcullisConfig): RedisConfig {
  if (!config.redis) {
    throw CliError.config(
      'this command needs `redis` in the configuration (or REDIS_URL): without it nothing is shared with the services',
      [{ path: 'redis', message: 'required for revocations and Redis project records' }],
    )
  }
  return config.redis
}

/** Through core's own revoker, so the keys, version bump and PUBLISH are exactly what services expect. */
export async function writeRevocation(
  config: PortcullisConfig,
  target: RevocationTarget,
  undo: boolean,
): Promise<void> {
  const { createAuth } = await import('@portcullis/core')
  const auth = createAuth(forOneShot(config))
  try {
    const revoke = auth.revoke
    if (target.kind === 'jti')
      await (undo ? revoke.undoToken(target.id) : revoke.token(target.id, target.expiresAt))
    else if (target.kind === 'sub')
      await (undo ? revoke.undoSubject(target.id) : revoke.subject(target.id, new Date(target.before * 1000)))
    else await (undo ? revoke.undoProject(target.id) : revoke.project(target.id))
  } finally {
    await auth.close()
  }
}

/**
 * core queues a revocation it could not write and applies it in-process; this process ends now, so the key
 * is read back (layout: core README, "Redis") and a missing one is exit 4.
 */
export async function confirmWritten(
  client: RedisClient,
  redis: RedisConfig,
  target: RevocationTarget,
  undo: boolean,
): Promise<void> {
  const exists = (await client.exists(`${redis.keyPrefix}revoked:${target.kind}:${target.id}`)) === 1
  if (exists === undo) {
    throw CliError.unavailable(
      'redis_unavailable',
      `the ${undo ? 'restoration' : 'revocation'} did not reach Redis; nothing changed for other services`,
    )
  }
}
