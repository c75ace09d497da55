import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { SignJWT } from 'jose'
import { CliError } from '../cli-error.js'
import { type CommandContext, collect } from '../context.js'
import { readSigningKey } from '../jwt/signing-key.js'
import { parseDuration } from '../time.js'

interface MintOptions {
  key: string
  alg?: string
  kid?: string
  iss?: string
  aud?: string[]
  sub?: string
  scope?: string
  jti?: string
  expiresIn?: string
  typ: string
  claim?: string[]
  claimsJson?: string
}

export function registerTokenMint(token: Command, ctx: CommandContext): void {
  token
    .command('mint')
    .summary('sign a JWT with a private key (PEM or JWK file)')
    .description(
      [
        'Sign a JWT with a private key file: PEM (PKCS#8) or a private JWK, e.g. one written by',
        '`portcullis token keygen` or exported from @portcullis/testing’s issuer. Claims, later ones winning:',
        'iat/exp/jti defaults < --claims-json < --claim < --iss/--aud/--sub/--scope/--jti/--expires-in.',
        'Prints the token alone on stdout.',
      ].join('\n'),
    )
    .requiredOption('--key <file>', 'private key: PEM or JWK (JSON) file')
    .option('--alg <alg>', 'JWS algorithm (default: the JWK’s alg, else the key type’s usual one)')
    .option('--kid <kid>', 'key id header (default: the JWK’s kid, else its RFC 7638 thumbprint)')
    .option('--iss <issuer>', 'iss claim')
    .option('--aud <audience>', 'aud claim (repeatable: several make a list)', collect)
    .option('--sub <subject>', 'sub claim')
    .option('--scope <scopes>', 'scope claim (space-separated)')
    .option('--jti <id>', 'jti claim (default: a random uuid)')
    .option('--expires-in <duration>', 'lifetime: 900, 15m, 2h, 7d (default 15m)')
    .option('--typ <typ>', 'typ header', 'JWT')
    .option(
      '--claim <name=value>',
      'a claim; the value is JSON when it parses (42, true, ["a"]), else a string (repeatable)',
      collect,
    )
    .option('--claims-json <json>', 'claims as a JSON object, or @file to read one')
    .action(async (options: MintOptions, command: Command) => {
      const out = ctx.output(command)
      const signingKey = await readSigningKey(options.key, { alg: options.alg, kid: options.kid })
      const now = Math.floor(Date.now() / 1000)
      const explicitLifetime =
        options.expiresIn !== undefined ? parseDuration(options.expiresIn, '--expires-in') : undefined
      const claims: Record<string, unknown> = {
        iat: now,
        exp: now + (explicitLifetime ?? 900),
        jti: randomUUID(),
        ...(await claimsJson(options.claimsJson)),
        ...Object.fromEntries((options.claim ?? []).map(parseClaim)),
        ...(options.iss !== undefined && { iss: options.iss }),
        ...(options.aud !== undefined && { aud: options.aud.length === 1 ? options.aud[0] : options.aud }),
        ...(options.sub !== undefined && { sub: options.sub }),
        ...(options.scope !== undefined && { scope: options.scope }),
        ...(options.jti !== undefined && { jti: options.jti }),
        ...(explicitLifetime !== undefined && { exp: now + explicitLifetime }),
      }
      const header = { alg: signingKey.alg, kid: signingKey.kid, typ: options.typ }
      let jwt: string
      try {
        jwt = await new SignJWT(claims).setProtectedHeader(header).sign(signingKey.key)
      } catch (error) {
        throw CliError.usage(`cannot sign with ${signingKey.alg} and this key: ${(error as Error).message}`)
      }
      out.result({ token: jwt, header, claims }, () => jwt)
    })
}

function parseClaim(argument: string): [string, unknown] {
  const equals = argument.indexOf('=')
  if (equals <= 0) throw CliError.usage(`--claim: expected name=value, not "${argument}"`)
  const raw = argument.slice(equals + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {}
  return [argument.slice(0, equals), value]
}

async function claimsJson(option: string | undefined): Promise<Record<string, unknown>> {
  if (option === undefined) return {}
  let text = option
  if (option.startsWith('@')) {
    try {
      text = await readFile(option.slice(1), 'utf8')
    } catch (error) {
      throw CliError.usage(
        `--claims-json: cannot read ${option.slice(1)}: ${(error as NodeJS.ErrnoException).code}`,
      )
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw CliError.usage(`--claims-json: not JSON: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw CliError.usage('--claims-json: must be a JSON object')
  }
  return value as Record<string, unknown>
}
