import type { AuthResult } from '@portcullis/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { CONFIG_OPTION, forOneShot, loadCliConfig } from '../config/load-cli-config.js'
import { type CommandContext, collect } from '../context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { readTokenArgument } from '../read-token.js'
import { describeInstant } from '../time.js'

interface VerifyOptions {
  config?: string
  scope?: string[]
}

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .summary('validate a token exactly as a service configured by portcullis.yaml would')
    .description(
      [
        'Validate a bearer token with createAuth(await loadConfig()): the same signature, claim, revocation',
        '(Redis when configured) and scope checks a service runs. Prints the user, or the AuthError code.',
        'Exit 0 valid, 2 refused (token_expired, token_revoked, insufficient_scope...), 3 bad config,',
        '4 unavailable (issuer_unavailable, auth_unavailable). The token is read from standard input when',
        'it is "-" or left out.',
      ].join('\n'),
    )
    .argument('[token]', 'the token, or - for standard input')
    .option(...CONFIG_OPTION)
    .option('--scope <scope>', 'scope the token must hold (repeatable)', collect)
    .action(async (argument: string | undefined, options: VerifyOptions, command: Command) => {
      const out = ctx.output(command)
      const token = await readTokenArgument(argument, ctx.io)
      const { config } = await loadCliConfig(options.config, ctx.io.env)
      const { createAuth, isAuthError } = await import('@portcullis/core')
      const auth = createAuth(forOneShot(config))
      let result: AuthResult
      try {
        result = await auth.authenticate(
          { headers: { authorization: `Bearer ${token}` } },
          options.scope?.length ? { scopes: options.scope } : undefined,
        )
      } catch (error) {
        if (!isAuthError(error)) throw error
        const exitCode = error.status === 503 ? EXIT_CODES.unavailable : EXIT_CODES.auth
        out.result(
          { valid: false, code: error.code, status: error.status, message: error.message },
          () => `${out.out.red('✗ invalid')}  ${out.out.bold(error.code)} (${error.status}) ${error.message}`,
        )
        throw CliError.reported(error.code, exitCode)
      } finally {
        await auth.close()
      }
      const { user, claims, issuer } = result
      out.result({ valid: true, user, issuer, claims }, () => {
        const exp = typeof claims?.exp === 'number' ? [`  expires  ${describeInstant(claims.exp)}`] : []
        return [
          `${out.out.green('✓ valid')}  token of ${out.out.bold(user?.id ?? '(unknown)')}`,
          `  subject  ${user?.subject ?? ''}`,
          `  issuer   ${issuer ?? ''}`,
          `  scopes   ${user?.scopes.join(' ') || '(none)'}`,
          ...(user?.projectUuid ? [`  project  ${user.projectUuid}`] : []),
          ...exp,
        ]
      })
    })
}
