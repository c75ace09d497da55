import { CliError } from './cli-error.js'
import type { Io } from './output.js'

/**
 * The token to work on: the argument, or standard input when the argument is `-` or absent (so a token
 * need not appear in shell history or `ps`). A leading `Bearer ` is dropped.
 */
export async function readTokenArgument(argument: string | undefined, io: Io): Promise<string> {
  let text = argument
  if (text === undefined || text === '-') {
    if (text === undefined && io.stdin.isTTY) {
      throw CliError.usage('give a token as the argument, or pipe one on standard input (`-`)')
    }
    text = await readAll(io.stdin)
  }
  const token = text.trim().replace(/^Bearer\s+/i, '')
  if (token === '') throw CliError.usage('the token is empty')
  return token
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
