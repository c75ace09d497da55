import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE, issuerForTest } from './setup.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

// Each entry verifies a real token from the test issuer in a fresh Node process, so the built output
// (and jose's ESM-only build under `require`, which needs Node >= 20.19) is exercised as users load it.
const script = (load: string) => `
${load}
const auth = createAuth({ audience: ${JSON.stringify(AUDIENCE)}, issuers: [{ issuer: process.env.ISSUER }] })
auth.authenticate({ headers: { authorization: 'Bearer ' + process.env.TOKEN } })
  .then((r) => { console.log(r.user.subject); return auth.close() })
  .catch((e) => { console.error(e); process.exit(1) })
`

describe('built package entry points', () => {
  // `pnpm test` builds first; running this file alone needs `pnpm build`.
  beforeAll(() => {
    for (const file of ['dist/index.cjs', 'dist/index.js']) {
      if (!existsSync(`${packageDir}/${file}`))
        throw new Error(`${file} is missing: run \`pnpm build\` first`)
    }
  })

  it('verifies a token through the CJS build (require)', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const env = { ...process.env, ISSUER: issuer.url, TOKEN: await issuer.sign({ sub: 'cjs-user' }) }
    const { stdout } = await run(
      process.execPath,
      ['-e', script("const { createAuth } = require('@portcullis/core')")],
      {
        cwd: packageDir,
        env,
      },
    )
    expect(stdout.trim()).toBe('cjs-user')
  })

  it('verifies a token through the ESM build (import)', async () => {
    const issuer = await issuerForTest({ algs: ['RS512'] })
    const env = { ...process.env, ISSUER: issuer.url, TOKEN: await issuer.sign({ sub: 'esm-user' }) }
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', script("import { createAuth } from '@portcullis/core'")],
      { cwd: packageDir, env },
    )
    expect(stdout.trim()).toBe('esm-user')
  })
})
