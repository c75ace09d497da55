import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DEMO_AUDIENCE,
  DEMO_CLIENT_ID,
  type DemoIssuer,
  signInWithBrowser,
  startDemoIssuer,
} from './support/demo-issuer.js'
import { collect, runCli, spawnCli, waitForStderr } from './support/run-cli.js'

let issuer: DemoIssuer
let home: string
let env: Record<string, string>

beforeAll(async () => {
  issuer = await startDemoIssuer()
})
afterAll(() => issuer?.close())
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'portcullis-cli-home-'))
  env = { PORTCULLIS_CLI_HOME: join(home, 'portcullis') }
  return () => rm(home, { recursive: true, force: true })
})

const credentialsFile = () => join(home, 'portcullis', 'credentials.json')

/** `portcullis login` in a child process, with the browser's part played by `signInWithBrowser`. */
async function login(options: Parameters<typeof signInWithBrowser>[1] = {}, extraArgs: string[] = []) {
  const child = spawnCli(
    [
      'login',
      '--issuer',
      issuer.url,
      '--client-id',
      DEMO_CLIENT_ID,
      '--scope',
      'profile:read',
      '--json',
      ...extraArgs,
    ],
    { env },
  )
  const done = collect(child)
  const [url] = await waitForStderr(child, /http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/)
  const browser = await signInWithBrowser(url, options)
  return { url: new URL(url), ...browser, run: await done }
}

describe('portcullis login', () => {
  it('signs in with PKCE S256 through a loopback redirect and keeps the tokens in a 0600 file', async () => {
    const { url, redirect, callback, run } = await login()
    expect(run.stderr).toContain('Open this URL in a browser')
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(redirect.searchParams.get('state')).toBe(url.searchParams.get('state'))
    expect(callback.status).toBe(200)
    expect(run.code, run.stderr + run.stdout).toBe(0)
    expect(run.json()).toMatchObject({
      status: 'signed-in',
      issuer: issuer.url,
      clientId: DEMO_CLIENT_ID,
      scope: 'profile:read',
      refreshable: true,
      credentialsFile: credentialsFile(),
    })

    expect((await stat(credentialsFile())).mode & 0o777).toBe(0o600)
    expect((await stat(join(home, 'portcullis'))).mode & 0o777).toBe(0o700)
    const kept = JSON.parse(await readFile(credentialsFile(), 'utf8')).credentials[0]
    // No secret is echoed: the tokens are in the file, never on the terminal.
    expect(run.stdout + run.stderr).not.toContain(kept.accessToken)
    expect(run.stdout + run.stderr).not.toContain(kept.refreshToken)

    // The kept token is a real one: `token get` hands it out and `verify` accepts it as the APIs would.
    const got = await runCli(['token', 'get'], { env })
    expect(got.code, got.stderr + got.stdout).toBe(0)
    expect(got.stdout.trim()).toBe(kept.accessToken)
    const config = join(home, 'portcullis.yaml')
    await writeFile(
      config,
      `audience: ${DEMO_AUDIENCE}\nissuers:\n  - issuer: ${issuer.url}\n    preset: mercury\n`,
    )
    const verified = await runCli(['verify', '-', '--config', config, '--json'], { env, input: got.stdout })
    expect(verified.code, verified.stderr + verified.stdout).toBe(0)
    expect(verified.json()).toMatchObject({
      valid: true,
      user: { id: 'ada@demo.test', scopes: ['profile:read'] },
    })

    // A second login reuses the kept token without a browser.
    const again = await runCli(['login', '--issuer', issuer.url, '--client-id', DEMO_CLIENT_ID, '--json'], {
      env,
    })
    expect(again.code, again.stderr + again.stdout).toBe(0)
    expect(again.json().status).toBe('cached')
  })

  it('refuses a redirect whose state it did not send, exchanges nothing and keeps nothing', async () => {
    const { callback, run } = await login({
      tamper: (redirect) => redirect.searchParams.set('state', 'forged-state'),
    })
    expect(callback.status).toBe(400)
    expect(await callback.text()).toContain('Sign-in refused')
    expect(run.code, run.stderr + run.stdout).toBe(2)
    expect(run.json().error).toMatchObject({ code: 'state_mismatch', exitCode: 2 })
    await expect(stat(credentialsFile())).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('reports a sign-in the user declined with exit 2', async () => {
    const { run } = await login({ action: 'deny' })
    expect(run.code, run.stderr + run.stdout).toBe(2)
    expect(run.json().error).toMatchObject({ code: 'login_denied' })
    expect(run.json().error.message).toContain('access_denied')
  })

  it('refreshes an expired token with the rotated refresh token, keeping the file 0600', async () => {
    const { run } = await login()
    expect(run.code, run.stderr + run.stdout).toBe(0)
    const file = JSON.parse(await readFile(credentialsFile(), 'utf8'))
    const before = file.credentials[0]
    // As if its 15 minutes had passed.
    before.expiresAt = Math.floor(Date.now() / 1000) - 60
    await writeFile(credentialsFile(), JSON.stringify(file))

    const got = await runCli(['token', 'get', '--issuer', issuer.url, '--json'], { env })
    expect(got.code, got.stderr + got.stdout).toBe(0)
    expect(got.json()).toMatchObject({ refreshed: true, issuer: issuer.url })
    expect(got.json().accessToken).not.toBe(before.accessToken)
    const after = JSON.parse(await readFile(credentialsFile(), 'utf8')).credentials[0]
    expect(after.refreshToken).not.toBe(before.refreshToken)
    expect(after.expiresAt).toBeGreaterThan(Date.now() / 1000 + 600)
    expect((await stat(credentialsFile())).mode & 0o777).toBe(0o600)

    const out = await runCli(['logout', '--json'], { env })
    expect(out.json()).toMatchObject({ loggedOut: true, revokedAtIssuer: true })
    const none = await runCli(['token', 'get', '--json'], { env })
    expect(none.code, none.stderr + none.stdout).toBe(2)
    expect(none.json().error.code).toBe('not_signed_in')
  })

  it('stops with exit 4 when the issuer cannot be reached', async () => {
    const run = await runCli(
      ['login', '--issuer', 'http://127.0.0.1:9', '--client-id', DEMO_CLIENT_ID, '--json'],
      {
        env,
      },
    )
    expect(run.code, run.stderr + run.stdout).toBe(4)
    expect(run.json().error.code).toBe('issuer_unavailable')
  })
})
