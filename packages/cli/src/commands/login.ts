import type { Command } from 'commander'
import { CliError } from '../cli-error.js'
import { type CommandContext, collect } from '../context.js'
import { discoverAuthorizationServer } from '../oauth/discovery.js'
import { startLoopbackReceiver } from '../oauth/loopback-receiver.js'
import { createPkce, createState } from '../oauth/pkce.js'
import { describeCredential, isFresh, refreshCredential, toCredential } from '../oauth/session.js'
import { requestTokens } from '../oauth/token-endpoint.js'
import type { Output } from '../output.js'
import { CredentialsStore, cliHome, type StoredCredential } from '../store/credentials-store.js'
import { describeInstant, parseDuration } from '../time.js'

interface LoginOptions {
  issuer: string
  clientId: string
  scope?: string[]
  port: string
  timeout: string
  loginHint?: string
  force?: boolean
}

export function registerLogin(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .summary('sign in with OAuth 2.1 authorization code + PKCE, and keep the token')
    .description(
      [
        'Sign in with the OAuth 2.1 authorization code flow and PKCE (S256): discovery, a loopback redirect on',
        '127.0.0.1, a state check, the code exchange. Open the printed URL in a browser. The tokens are kept in',
        'credentials.json in the CLI home (PORTCULLIS_CLI_HOME, else $XDG_CONFIG_HOME/portcullis), readable by',
        'you only (0600). A kept token that is still valid is reused; an expired one is refreshed.',
      ].join('\n'),
    )
    .requiredOption('--issuer <url>', 'the authorization server (its exact issuer identifier)')
    .requiredOption('--client-id <id>', 'this CLI’s client id at that issuer (a public client)')
    .option('--scope <scope>', 'scope to ask for (repeatable, or space-separated)', collect)
    .option('--port <port>', 'loopback port for the redirect (0: any free one)', '0')
    .option('--timeout <duration>', 'how long to wait for the sign-in', '5m')
    .option('--login-hint <user>', 'pre-fill the user on the sign-in page')
    .option('--force', 'sign in again even when a kept token is still valid')
    .action(async (options: LoginOptions, command: Command) => {
      const out = ctx.output(command)
      const store = new CredentialsStore(cliHome(ctx.io.env))
      const reused = options.force ? undefined : await reuseKept(store, options, out)
      const credential = reused?.credential ?? (await signIn(store, options, out))
      const status = reused?.status ?? 'signed-in'
      out.result({ status, ...describeCredential(credential, store.path) }, () => {
        const verb =
          status === 'cached'
            ? 'Already signed in to'
            : status === 'refreshed'
              ? 'Refreshed the sign-in to'
              : 'Signed in to'
        return [
          `${out.out.green('✓')} ${verb} ${credential.issuer} as client ${credential.clientId}`,
          ...(credential.scope ? [`  scope    ${credential.scope}`] : []),
          ...(credential.expiresAt !== undefined
            ? [`  expires  ${describeInstant(credential.expiresAt)}`]
            : []),
          `  kept in  ${store.path} (0600)`,
          `  use it:  portcullis token get --issuer ${credential.issuer}`,
        ]
      })
    })
}

/** A kept sign-in for this issuer and client: reused while fresh, refreshed once expired. */
async function reuseKept(
  store: CredentialsStore,
  options: LoginOptions,
  out: Output,
): Promise<{ credential: StoredCredential; status: 'cached' | 'refreshed' } | undefined> {
  const kept = await store.find(options.issuer, options.clientId)
  if (!kept || !sameScope(kept, scopeOf(options))) return undefined
  if (isFresh(kept)) return { credential: kept, status: 'cached' }
  if (!kept.refreshToken) return undefined
  try {
    return { credential: await refreshCredential(store, kept), status: 'refreshed' }
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== 2) throw error
    out.note(`The kept sign-in could not be refreshed (${error.code}); signing in again.`)
    return undefined
  }
}

async function signIn(
  store: CredentialsStore,
  options: LoginOptions,
  out: Output,
): Promise<StoredCredential> {
  const port = Number(options.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw CliError.usage(`--port: not a port: ${options.port}`)
  const timeoutMs = parseDuration(options.timeout, '--timeout') * 1000
  const server = await discoverAuthorizationServer(options.issuer)
  const state = createState()
  const pkce = createPkce()
  const receiver = await startLoopbackReceiver({ state, issuer: server.issuer, timeoutMs, port })
  try {
    const url = new URL(server.authorizationEndpoint)
    const scope = scopeOf(options)
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: receiver.redirectUri,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      scope,
      login_hint: options.loginHint,
    }
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value)
    out.note(`Open this URL in a browser to sign in:\n\n  ${url.href}\n`)
    out.note(out.err.dim(`Waiting for the redirect to ${receiver.redirectUri} ...`))

    const callback = await receiver.callback
    let credential: StoredCredential
    try {
      const tokens = await requestTokens(server.tokenEndpoint, {
        grant_type: 'authorization_code',
        code: callback.code,
        redirect_uri: receiver.redirectUri,
        client_id: options.clientId,
        code_verifier: pkce.verifier,
      })
      credential = toCredential(
        {
          issuer: server.issuer,
          clientId: options.clientId,
          tokenEndpoint: server.tokenEndpoint,
          revocationEndpoint: server.revocationEndpoint,
          scope,
        },
        tokens,
      )
      await store.save(credential)
    } catch (error) {
      await callback.finish(400, 'Sign-in failed; see the terminal.')
      throw error
    }
    await callback.finish(200, 'Signed in. You can close this tab and return to the terminal.')
    return credential
  } finally {
    await receiver.close()
  }
}

function scopeOf(options: LoginOptions): string | undefined {
  const scopes = (options.scope ?? []).flatMap((scope) => scope.split(/\s+/)).filter(Boolean)
  return scopes.length ? [...new Set(scopes)].join(' ') : undefined
}

/** A kept token is reused only for the scope it was obtained for (or when no scope is asked for). */
function sameScope(kept: StoredCredential, asked: string | undefined): boolean {
  if (asked === undefined) return true
  const have = new Set((kept.scope ?? '').split(/\s+/))
  return asked.split(' ').every((scope) => have.has(scope))
}
