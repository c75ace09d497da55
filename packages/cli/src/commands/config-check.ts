import type { PortcullisConfig } from '@portcullis/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { CONFIG_OPTION, loadCliConfig } from '../config/load-cli-config.js'
import type { CommandContext } from '../context.js'
import { EXIT_CODES } from '../exit-codes.js'

export function registerConfig(program: Command, ctx: CommandContext): void {
  const config = program.command('config').summary('check Portcullis configuration')
  config
    .command('check')
    .summary('load and validate portcullis.yaml + environment, naming each field at fault')
    .description(
      [
        'Load the configuration exactly as a service does (loadConfig: the file, then PORTCULLIS_*, REDIS_URL,',
        'SIGNATURE_SHARED_SECRET... over it) and validate it. Exit 0 valid, 3 invalid, with every field at',
        'fault (e.g. issuers[0].audience). Nothing is contacted; secrets are not printed.',
      ].join('\n'),
    )
    .option(...CONFIG_OPTION)
    .action(async (options: { config?: string }, command: Command) => {
      const out = ctx.output(command)
      let loaded: Awaited<ReturnType<typeof loadCliConfig>>
      try {
        loaded = await loadCliConfig(options.config, ctx.io.env)
      } catch (error) {
        if (!(error instanceof CliError) || error.code !== 'config_invalid') throw error
        const issues = (error.details?.issues ?? []) as { path: string; message: string }[]
        out.result({ valid: false, issues }, () => [
          `${out.out.red('✗ invalid configuration')}`,
          ...issues.map((issue) => `  - ${out.out.bold(issue.path || '(root)')}: ${issue.message}`),
        ])
        throw CliError.reported('config_invalid', EXIT_CODES.config)
      }
      const summary = summarize(loaded.config)
      const source = loaded.source ?? 'environment only'
      if (!loaded.source)
        out.note(out.err.yellow('note: no config file found; only the environment was read'))
      out.result({ valid: true, source: loaded.source ?? null, ...summary }, () => [
        `${out.out.green('✓ valid')}  ${source}`,
        ...summary.issuers.map(
          (issuer) => `  issuer    ${issuer.issuer ?? '(from preset)'} (${issuer.preset})`,
        ),
        ...(summary.issuers.length === 0 ? ['  issuer    (none: every bearer token will be refused)'] : []),
        `  redis     ${summary.redis ? 'yes' : 'no (in-process state only)'}`,
        `  projects  ${summary.projectResolvers.length ? summary.projectResolvers.join(', ') : 'off'}`,
      ])
    })
}

/** What may be shown of a config: structure only, never secrets or Redis URLs (they may hold a password). */
function summarize(config: PortcullisConfig) {
  return {
    issuers: config.issuers.map((issuer) => ({ issuer: issuer.issuer ?? null, preset: issuer.preset })),
    redis: config.redis !== undefined,
    projectResolvers: config.projects ? [...config.projects.resolvers] : [],
  }
}
