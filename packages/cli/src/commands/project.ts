import { randomBytes, randomUUID } from 'node:crypto'
import type { PortcullisConfig } from '@portcullis/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { CONFIG_OPTION, loadCliConfig } from '../config/load-cli-config.js'
import { type CommandContext, collect } from '../context.js'
import type { Output } from '../output.js'
import { type RedisClient, withRedis } from '../redis/open-redis.js'
import { confirmWritten, requireRedis, writeRevocation } from '../redis/revocations.js'

/** As core's `APP_ID_PATTERN`: app ids go into cache keys, Redis keys and Basic credentials. */
const APP_ID = /^[A-Za-z0-9._~-]{1,128}$/

/** Creates a hash only when the key does not exist yet, in one step (one key: fine on Cluster). */
const CREATE_HASH = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`

interface CreateOptions {
  config?: string
  name: string
  appId?: string
  projectUuid?: string
  service?: string[]
  scope?: string[]
  store?: string
}

interface ToggleOptions {
  config?: string
  projectUuid?: string
}

export function registerProject(program: Command, ctx: CommandContext): void {
  const project = program
    .command('project')
    .summary('create, disable and enable projects (app id + secret credentials)')
    .description('Manage project (service-to-service) credentials: `x-app-id` + `x-app-secret`.')

  project
    .command('create')
    .summary('create a project: a new app id and secret (shown once; only its HMAC is stored)')
    .description(
      [
        'Generate an app id and a secret, and store only hashProjectSecret(secret, projects.signingSecret):',
        'in the Redis hash projects.redis.keyTemplate (default project:{appId}) when --store redis (the',
        'default when the config has redis and the redis resolver), else print a projects.static YAML',
        'record to paste into portcullis.yaml. The secret is printed once, here, and kept nowhere.',
      ].join('\n'),
    )
    .option(...CONFIG_OPTION)
    .requiredOption('--name <name>', 'the project’s name')
    .option('--app-id <id>', 'app id (default: from the name, plus a random suffix)')
    .option('--project-uuid <uuid>', 'project uuid (default: a random one)')
    .option(
      '--service <id>',
      'a service this project may call (repeatable; default: service.id of the config)',
      collect,
    )
    .option('--scope <scope>', 'a scope the project holds (repeatable)', collect)
    .option('--store <where>', 'redis or yaml (default: redis when the config uses the redis resolver)')
    .action(async (options: CreateOptions, command: Command) => {
      const out = ctx.output(command)
      const { config } = await loadCliConfig(options.config, ctx.io.env)
      const signingSecret = config.projects?.signingSecret
      if (!signingSecret) {
        throw CliError.config(
          'projects.signingSecret (SIGNATURE_SHARED_SECRET) is needed to hash the secret',
          [{ path: 'projects.signingSecret', message: 'required by project create' }],
        )
      }
      const store = storeOf(options.store, config)
      const appId = options.appId ?? generateAppId(options.name)
      if (!APP_ID.test(appId))
        throw CliError.usage(`--app-id: letters, digits and . _ ~ - only (at most 128): ${appId}`)
      const { hashProjectSecret } = await import('@portcullis/core')
      const secret = randomBytes(32).toString('base64url')
      const record = {
        appId,
        secretHash: hashProjectSecret(secret, signingSecret),
        projectUuid: options.projectUuid ?? randomUUID(),
        projectName: options.name,
        enabled: true,
        enabledServices: options.service ?? (config.service?.id ? [config.service.id] : []),
        scopes: options.scope ?? [],
      }
      if (record.enabledServices.length === 0) {
        out.note(
          out.err.yellow('warning: no service enabled (--service): every service will refuse this project'),
        )
      }
      let key: string | undefined
      if (store === 'redis') {
        const redis = requireRedis(config)
        key = redisKey(config, appId)
        const created = await withRedis(redis, (client) =>
          client.eval(
            CREATE_HASH,
            1,
            key as string,
            ...[
              'secret_hash',
              record.secretHash,
              'project_uuid',
              record.projectUuid,
              'project_name',
              record.projectName,
            ],
            ...['enabled', 'true', 'enabled_services', JSON.stringify(record.enabledServices)],
            ...['scopes', JSON.stringify(record.scopes), 'secret_version', '0'],
          ),
        )
        if (created !== 1)
          throw new CliError('project_exists', 1, `a project with app id ${appId} already exists (${key})`)
      }
      const yaml = store === 'yaml' ? (await import('yaml')).stringify([record]) : undefined
      out.result(
        {
          appId,
          appSecret: secret,
          projectUuid: record.projectUuid,
          projectName: record.projectName,
          enabledServices: record.enabledServices,
          scopes: record.scopes,
          store,
          ...(key !== undefined && { key }),
          ...(store === 'yaml' && { record }),
        },
        () => [
          `${out.out.green('✓')} Project ${out.out.bold(record.projectName)} created${key ? ` in Redis (${key})` : ''}`,
          `  app id        ${appId}`,
          `  project uuid  ${record.projectUuid}`,
          `  services      ${record.enabledServices.join(', ') || '(none)'}`,
          ...(record.scopes.length ? [`  scopes        ${record.scopes.join(' ')}`] : []),
          `  app secret    ${out.out.bold(secret)}`,
          out.out.yellow(
            '  The secret is shown only now and stored nowhere (only its HMAC is): keep it safe.',
          ),
          ...(yaml
            ? [
                '',
                '# Add under projects.static in portcullis.yaml (resolvers must list static):',
                yaml.trimEnd(),
              ]
            : []),
        ],
      )
    })

  for (const enable of [false, true]) {
    project
      .command(enable ? 'enable' : 'disable')
      .summary(
        enable
          ? 'enable a project again and lift its revocation'
          : 'disable a project and revoke its credentials at once',
      )
      .description(
        enable
          ? 'Set enabled=true on its Redis record and lift the project revocation (auth.revoke.undoProject).'
          : [
              'Set enabled=false on the project’s Redis record and revoke it (auth.revoke.project), so every',
              'service sharing the Redis refuses its credentials at once, cached or not. For a project that is not',
              'a Redis record (static YAML, Mercury), give --project-uuid instead of the app id: only the revocation',
              'is written.',
            ].join('\n'),
      )
      .argument('[appId]', 'the project’s app id (its Redis record)')
      .option(...CONFIG_OPTION)
      .option('--project-uuid <uuid>', 'the project uuid, when there is no Redis record to update')
      .action(async (appId: string | undefined, options: ToggleOptions, command: Command) => {
        await toggleProject(ctx.output(command), appId, options, enable, ctx)
      })
  }
}

async function toggleProject(
  out: Output,
  appId: string | undefined,
  options: ToggleOptions,
  enable: boolean,
  ctx: CommandContext,
): Promise<void> {
  if ((appId === undefined) === (options.projectUuid === undefined)) {
    throw CliError.usage('give the app id or --project-uuid (one of them)')
  }
  const { config } = await loadCliConfig(options.config, ctx.io.env)
  const redis = requireRedis(config)
  const key = appId === undefined ? undefined : redisKey(config, appId)
  const projectUuid = await withRedis(redis, async (client) => {
    const uuid = key === undefined ? (options.projectUuid as string) : await updateRecord(client, key, enable)
    const target = { kind: 'project', id: uuid } as const
    await writeRevocation(config, target, enable)
    await confirmWritten(client, redis, target, enable)
    return uuid
  })
  out.result({ enabled: enable, projectUuid, ...(appId !== undefined && { appId, key }) }, () =>
    enable
      ? `${out.out.green('✓')} Project ${projectUuid} enabled; its credentials work again`
      : `${out.out.green('✓')} Project ${projectUuid} disabled and revoked; its credentials are refused everywhere`,
  )
}

/** Sets `enabled` on the record and returns its project uuid; an unknown app id is exit 1. */
async function updateRecord(client: RedisClient, key: string, enable: boolean): Promise<string> {
  const uuid = (await client.hget(key, 'project_uuid')) ?? (await client.hget(key, 'projectUuid'))
  if (!uuid) throw new CliError('project_not_found', 1, `no project record at ${key}`)
  await client.hset(key, 'enabled', enable ? 'true' : 'false')
  return uuid
}

function storeOf(option: string | undefined, config: PortcullisConfig): 'redis' | 'yaml' {
  if (option === 'redis' || option === 'yaml') return option
  if (option !== undefined) throw CliError.usage(`--store: redis or yaml, not ${option}`)
  return config.redis && config.projects?.resolvers.includes('redis') ? 'redis' : 'yaml'
}

/** The hash core's Redis resolver reads: `projects.redis.keyTemplate`, without the Portcullis key prefix. */
function redisKey(config: PortcullisConfig, appId: string): string {
  return (config.projects?.redis.keyTemplate ?? 'project:{appId}').replaceAll('{appId}', appId)
}

function generateAppId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
  return `${slug || 'project'}-${randomBytes(4).toString('hex')}`
}
