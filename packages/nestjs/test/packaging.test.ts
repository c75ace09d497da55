import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE, issuerForTest } from './support.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

// A fresh Node process boots a Nest app from the built entry (decorators applied by hand: plain JS) and
// calls it over HTTP, so the output users load is exercised: CJS `require`, and ESM named imports from Nest.
const app = `
class MeController { me(user) { return { user: user.subject } } }
const me = Object.getOwnPropertyDescriptor(MeController.prototype, 'me')
Get()(MeController.prototype, 'me', me)
Auth('jwt', { scopes: ['read'] })(MeController.prototype, 'me', me)
CurrentUser()(MeController.prototype, 'me', 0)
Controller('me')(MeController)
class AppModule {}
Module({
  imports: [PortcullisModule.forRoot({ audience: ${JSON.stringify(AUDIENCE)}, issuers: [{ issuer: process.env.ISSUER }] })],
  controllers: [MeController],
})(AppModule)
;(async () => {
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  const url = 'http://127.0.0.1:' + app.getHttpServer().address().port + '/me'
  const ok = await fetch(url, { headers: { authorization: 'Bearer ' + process.env.TOKEN } })
  const denied = await fetch(url)
  // An HTTP-only app never loads the optional @nestjs/graphql (visible in the CJS module cache).
  const graphqlLoaded = typeof require === 'function' ? Object.keys(require.cache).some((p) => p.includes('graphql')) : null
  console.log(JSON.stringify([ok.status, await ok.json(), denied.status, denied.headers.get('www-authenticate'), graphqlLoaded]))
  await app.close()
})().catch((error) => { console.error(error); process.exit(1) })
`

const cjs = `
require('reflect-metadata')
const { Controller, Get, Module } = require('@nestjs/common')
const { NestFactory } = require('@nestjs/core')
const { Auth, CurrentUser, PortcullisModule } = require('@portcullis/nestjs')
${app}`

const esm = `
import 'reflect-metadata'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Auth, CurrentUser, PortcullisModule } from '@portcullis/nestjs'
${app}`

describe('built package entry points', () => {
  // `pnpm test` builds first; running this file alone needs `pnpm build` (of core too).
  beforeAll(() => {
    for (const file of ['dist/index.cjs', 'dist/index.js']) {
      if (!existsSync(`${packageDir}/${file}`))
        throw new Error(`${file} is missing: run \`pnpm build\` first`)
    }
  })

  for (const [format, args, graphqlLoaded] of [
    ['CJS build (require)', ['-e', cjs], false],
    ['ESM build (import)', ['--input-type=module', '-e', esm], null],
  ] as const) {
    it(`guards a Nest route through the ${format}`, async () => {
      const issuer = await issuerForTest()
      const env = {
        ...process.env,
        ISSUER: issuer.url,
        TOKEN: await issuer.sign({ sub: 'built', scope: 'read' }),
      }
      const { stdout } = await run(process.execPath, [...args], { cwd: packageDir, env })
      expect(JSON.parse(stdout)).toEqual([200, { user: 'built' }, 401, 'Bearer', graphqlLoaded])
    })
  }

  // esbuild turns the `#private` members of a decorated class into WeakMap/WeakSet lookups: a handful per request
  // on the guard's path (RoutePolicies keeps its work in an undecorated base class for that reason).
  it('keeps private class members native in both builds (no WeakMap stand-ins on the request path)', () => {
    for (const file of ['dist/index.cjs', 'dist/index.js']) {
      const built = readFileSync(`${packageDir}/${file}`, 'utf8')
      expect(built).not.toMatch(/__privateGet\(|__privateMethod\(|__privateAdd\(/)
    }
  })
})
