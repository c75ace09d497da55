import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { CliError } from '../cli-error.js'
import type { CommandContext } from '../context.js'

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

export function registerTokenKeygen(token: Command, ctx: CommandContext): void {
  token
    .command('keygen')
    .summary('generate a signing key pair: private JWK to a file, public JWK on stdout')
    .description(
      [
        'Generate a key pair for `token mint`. The private JWK is written to --out (0600) and never printed;',
        'the public JWK is printed, ready for issuers[].publicKeys in portcullis.yaml or a JWKS.',
      ].join('\n'),
    )
    .requiredOption('--out <file>', 'where to write the private JWK (refuses to overwrite)')
    .option('--alg <alg>', `one of ${ALGORITHMS.join(', ')}`, 'ES256')
    .option('--kid <kid>', 'key id (default: the RFC 7638 thumbprint)')
    .action(async (options: { out: string; alg: string; kid?: string }, command: Command) => {
      const out = ctx.output(command)
      if (!ALGORITHMS.includes(options.alg)) throw CliError.usage(`--alg: one of ${ALGORITHMS.join(', ')}`)
      const { publicKey, privateKey } = await generateKeyPair(options.alg, { extractable: true })
      const publicJwk = await exportJWK(publicKey)
      const kid = options.kid ?? (await calculateJwkThumbprint(publicJwk))
      const meta = { kid, alg: options.alg, use: 'sig' }
      try {
        await writeFile(
          options.out,
          `${JSON.stringify({ ...(await exportJWK(privateKey)), ...meta }, null, 2)}\n`,
          {
            mode: 0o600,
            flag: 'wx',
          },
        )
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        throw CliError.usage(
          `cannot write ${options.out}: ${code === 'EEXIST' ? 'it exists (not overwritten)' : code}`,
        )
      }
      const jwk = { ...publicJwk, ...meta }
      out.result({ kid, alg: options.alg, privateKeyFile: options.out, publicJwk: jwk }, () =>
        JSON.stringify(jwk, null, 2),
      )
      out.note(
        `private key written to ${options.out} (0600); the public JWK above goes into issuers[].publicKeys`,
      )
    })
}
