import type { Command } from 'commander'
import type { CommandContext } from '../context.js'
import { decodeUnverified } from '../jwt/decode-unverified.js'
import { readTokenArgument } from '../read-token.js'
import { describeInstant } from '../time.js'

const WARNING =
  'UNVERIFIED: signature, issuer, audience and expiry were NOT checked. Use `portcullis verify`.'

export function registerDecode(program: Command, ctx: CommandContext): void {
  program
    .command('decode')
    .summary('show a JWT’s header and claims, UNVERIFIED')
    .description(
      `Show a JWT's header and claims without verifying anything (${WARNING})\nThe token is read from standard input when it is "-" or left out.`,
    )
    .argument('[token]', 'the token, or - for standard input')
    .action(async (argument: string | undefined, _options: unknown, command: Command) => {
      const out = ctx.output(command)
      const { header, claims } = decodeUnverified(await readTokenArgument(argument, ctx.io))
      out.result({ verified: false, warning: WARNING, header, claims }, () => {
        const times = (['iat', 'nbf', 'exp'] as const)
          .filter((name) => typeof claims[name] === 'number')
          .map((name) => `  ${name.padEnd(4)} ${describeInstant(claims[name] as number)}`)
        return [
          out.out.yellow(out.out.bold(WARNING)),
          out.out.bold('header'),
          indent(JSON.stringify(header, null, 2)),
          out.out.bold('claims'),
          indent(JSON.stringify(claims, null, 2)),
          ...(times.length ? [out.out.bold('times'), ...times] : []),
        ]
      })
    })
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
