import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import type { CommandContext } from '../context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { fetchFromIssuer } from '../oauth/http.js'
import { describeCredential, isFresh, refreshCredential } from '../oauth/session.js'
import { CredentialsStore, cliHome } from '../store/credentials-store.js'

interface SessionOptions {
  issuer?: string
  clientId?: string
}

/** `token get`: the kept access token, refreshed first when it expired. */
export function registerTokenGet(token: Command, ctx: CommandContext): void {
  token
    .command('get')
    .summary('print the access token kept by `portcullis login`, refreshing it when expired')
    .description(
      [
        'Print the access token kept by `portcullis login` on stdout (for TOKEN=$(portcullis token get)),',
        'refreshing it first with the refresh token when it expires within 30 s. --issuer and --client-id',
        'may be left out when only one sign-in is kept.',
      ].join('\n'),
    )
    .option('--issuer <url>', 'the issuer signed in to')
    .option('--client-id <id>', 'the client id signed in as')
    .action(async (options: SessionOptions, command: Command) => {
      const out = ctx.output(command)
      const store = new CredentialsStore(cliHome(ctx.io.env))
      const kept = await store.find(options.issuer, options.clientId)
      if (!kept) throw notSignedIn(options)
      const fresh = isFresh(kept)
      const credential = fresh ? kept : await refreshCredential(store, kept)
      out.result(
        {
          accessToken: credential.accessToken,
          refreshed: !fresh,
          ...describeCredential(credential, store.path),
        },
        () => credential.accessToken,
      )
    })
}

/** `logout`: forget a kept sign-in, revoking its refresh token at the issuer when it offers RFC 7009. */
export function registerLogout(program: Command, ctx: CommandContext): void {
  program
    .command('logout')
    .summary('forget a kept sign-in (and revoke its refresh token at the issuer)')
    .option('--issuer <url>', 'the issuer signed in to')
    .option('--client-id <id>', 'the client id signed in as')
    .action(async (options: SessionOptions, command: Command) => {
      const out = ctx.output(command)
      const store = new CredentialsStore(cliHome(ctx.io.env))
      const kept = await store.find(options.issuer, options.clientId)
      if (!kept) throw notSignedIn(options)
      let revokedAtIssuer = false
      if (kept.revocationEndpoint && kept.refreshToken) {
        // Best effort: the local copy goes either way.
        const response = await fetchFromIssuer(kept.revocationEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            token: kept.refreshToken,
            token_type_hint: 'refresh_token',
            client_id: kept.clientId,
          }),
        }).catch(() => undefined)
        revokedAtIssuer = response?.ok === true
      }
      await store.remove(kept)
      out.result({ loggedOut: true, issuer: kept.issuer, clientId: kept.clientId, revokedAtIssuer }, () => [
        `${out.out.green('✓')} Signed out of ${kept.issuer} (${kept.clientId})`,
        revokedAtIssuer
          ? '  the refresh token was revoked at the issuer'
          : '  the issuer was not asked to revoke anything',
      ])
    })
}

function notSignedIn(options: SessionOptions): CliError {
  const where = options.issuer ? ` to ${options.issuer}` : ''
  return new CliError('not_signed_in', EXIT_CODES.auth, `not signed in${where}; run portcullis login first`)
}
