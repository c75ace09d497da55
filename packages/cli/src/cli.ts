import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { CliError, toCliError } from './cli-error.js'
import { registerConfig } from './commands/config-check.js'
import { registerDecode } from './commands/decode.js'
import { registerLogin } from './commands/login.js'
import { registerProject } from './commands/project.js'
import { registerRevoke } from './commands/revoke.js'
import { registerLogout, registerTokenGet } from './commands/session.js'
import { registerTokenKeygen } from './commands/token-keygen.js'
import { registerTokenMint } from './commands/token-mint.js'
import { registerVerify } from './commands/verify.js'
import { createContext } from './context.js'
import { EXIT_CODES, type ExitCode } from './exit-codes.js'
import { type Io, Output } from './output.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

const EXIT_HELP = `
Exit codes:
  0  success
  1  usage: unknown command or option, bad argument
  2  authentication: token invalid, malformed or revoked; sign-in refused
  3  configuration: config or key file missing or invalid
  4  unavailable: issuer or Redis unreachable, or 503
  5  internal error

Environment: PORTCULLIS_CONFIG (config file), PORTCULLIS_CLI_HOME (where login keeps tokens; else
$XDG_CONFIG_HOME/portcullis), NO_COLOR, and every variable loadConfig reads (PORTCULLIS_*, REDIS_URL,
SIGNATURE_SHARED_SECRET...).`

/** The `portcullis` program: commands registered, output and exits routed through `io`. */
export function createProgram(io: Io): Command {
  const ctx = createContext(io)
  const program = new Command('portcullis')
    .description(
      'Operate Portcullis-protected services: sign in, inspect and verify tokens, revoke, manage projects.',
    )
    .version(version, '-V, --version', 'print the version')
    .option('--json', 'print one JSON document on stdout (results and errors)')
    .option('--no-color', 'no colours, even on a terminal (NO_COLOR works too)')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are printed by runCli, as JSON with --json.
      outputError: () => {},
    })

  registerLogin(program, ctx)
  registerLogout(program, ctx)
  const token = program.command('token').summary('get, mint and generate keys for tokens')
  registerTokenGet(token, ctx)
  registerTokenMint(token, ctx)
  registerTokenKeygen(token, ctx)
  registerDecode(program, ctx)
  registerVerify(program, ctx)
  registerRevoke(program, ctx)
  registerProject(program, ctx)
  registerConfig(program, ctx)
  return program
}

/** Runs one command line (without `node` and the script) and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  const beforeDashes = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length)
  const output = () =>
    new Output(io, { json: beforeDashes.includes('--json'), color: !beforeDashes.includes('--no-color') })
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' })
    return EXIT_CODES.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; a group without a subcommand shows help: usage.
      if (error.exitCode === 0 && error.code !== 'commander.help') return EXIT_CODES.ok
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') {
        return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage
      }
      const message = `${error.message.replace(/^error:\s*/, '')} (see --help)`
      const code = error.code
        .replace(/^commander\./, '')
        .replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
        .replaceAll('-', '_')
      output().failure(new CliError(code, EXIT_CODES.usage, message))
      return EXIT_CODES.usage
    }
    const failure = toCliError(error)
    if (!failure.reported) output().failure(failure)
    return failure.exitCode
  }
}
