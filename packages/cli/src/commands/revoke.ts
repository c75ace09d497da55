import type { PortcullisConfig } from '@portcullis/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { CONFIG_OPTION, loadCliConfig } from '../config/load-cli-config.js'
import type { CommandContext } from '../context.js'
import { decodeUnverified } from '../jwt/decode-unverified.js'
import { readTokenArgument } from '../read-token.js'
import { withRedis } from '../redis/open-redis.js'
import {
  confirmWritten,
  requireRedis,
  type RevocationTarget as Target,
  writeRevocation,
} from '../redis/revocations.js'
import { describeInstant, parseInstant } from '../time.js'

interface RevokeOptions {
  config?: string
  jti?: string
  token?: string
  expiresAt?: string
  sub?: string
  before?: string
  project?: string
  undo?: boolean
}

export function registerRevoke(program: Command, ctx: CommandContext): void {
  program
    .command('revoke')
    .summary('revoke a token (jti), a subject or a project in the configured Redis')
    .description(
      [
        'Write a revocation through createAuth(config).revoke.* into the Redis of the config, where every',
        'service sharing it sees it within milliseconds, then read it back. Needs `redis` in the config',
        '(without it a revocation would live only in this short-lived process). Exactly one of --jti,',
        '--token, --sub, --project. --undo restores.',
      ].join('\n'),
    )
    .option(...CONFIG_OPTION)
    .option('--jti <jti>', 'revoke one token by its jti')
    .option(
      '--expires-at <time>',
      'with --jti: the token’s exp (epoch seconds or ISO date); default now + revocation.subjectRetentionSec',
    )
    .option('--token <token>', 'revoke this token by its jti and exp (- reads it from standard input)')
    .option(
      '--sub <subject>',
      'revoke every token of this subject issued until --before (Mercury: the user uuid)',
    )
    .option('--before <time>', 'with --sub: the cut-off (epoch seconds or ISO date); default now')
    .option('--project <uuid>', 'revoke a project’s credentials until restored')
    .option('--undo', 'restore instead of revoking')
    .action(async (options: RevokeOptions, command: Command) => {
      const out = ctx.output(command)
      const { config } = await loadCliConfig(options.config, ctx.io.env)
      const redis = requireRedis(config)
      const target = await targetOf(options, config, ctx)
      const undo = options.undo === true
      if (!undo && target.kind === 'jti' && target.expiresAt <= Date.now() / 1000) {
        out.result(
          { revoked: false, reason: 'expired', kind: 'jti', id: target.id },
          () => `Nothing to do: token ${target.id} expired ${describeInstant(target.expiresAt)}.`,
        )
        return
      }
      await withRedis(redis, async (client) => {
        await writeRevocation(config, target, undo)
        await confirmWritten(client, redis, target, undo)
      })
      out.result(
        {
          revoked: !undo,
          restored: undo,
          kind: target.kind,
          id: target.id,
          ...(target.kind === 'jti' && { expiresAt: new Date(target.expiresAt * 1000).toISOString() }),
          ...(target.kind === 'sub' && { before: new Date(target.before * 1000).toISOString() }),
        },
        () => {
          const what = { jti: 'token', sub: 'every token issued until now of subject', project: 'project' }[
            target.kind
          ]
          return `${out.out.green('✓')} ${undo ? 'Restored' : 'Revoked'} ${what} ${out.out.bold(target.id)}`
        },
      )
    })
}

async function targetOf(
  options: RevokeOptions,
  config: PortcullisConfig,
  ctx: CommandContext,
): Promise<Target> {
  const given = [options.jti, options.token, options.sub, options.project].filter(
    (value) => value !== undefined,
  )
  if (given.length !== 1) throw CliError.usage('give exactly one of --jti, --token, --sub, --project')
  if (options.token !== undefined) {
    const { claims } = decodeUnverified(await readTokenArgument(options.token, ctx.io))
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
      throw CliError.usage('the token has no jti and exp to revoke it by; revoke its subject (--sub) instead')
    }
    return { kind: 'jti', id: claims.jti, expiresAt: claims.exp }
  }
  if (options.jti !== undefined) {
    const expiresAt =
      options.expiresAt !== undefined
        ? parseInstant(options.expiresAt, '--expires-at')
        : Math.floor(Date.now() / 1000) + config.revocation.subjectRetentionSec
    return { kind: 'jti', id: options.jti, expiresAt }
  }
  if (options.sub !== undefined) {
    const before = options.before !== undefined ? parseInstant(options.before, '--before') : Date.now() / 1000
    return { kind: 'sub', id: options.sub, before }
  }
  return { kind: 'project', id: options.project as string }
}
