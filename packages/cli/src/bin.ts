#!/usr/bin/env node
import { runCli } from './cli.js'

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
})
// Exit once stdout is flushed, whatever handles a library left open (a Redis reconnect timer, a socket).
process.stdout.write('', () => process.exit(code))
