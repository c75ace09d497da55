import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestIssuer, type TestIssuer } from '@portcullis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/run-cli.js'

const AUDIENCE = 'https://api.test'

let issuer: TestIssuer
let dir: string
let config: string
let pemKey: string

beforeAll(async () => {
  ;[issuer, dir] = await Promise.all([
    startTestIssuer({ algs: ['ES256'] }),
    mkdtemp(join(tmpdir(), 'portcullis-cli-')),
  ])
  config = join(dir, 'portcullis.yaml')
  await writeFile(config, `audience: ${AUDIENCE}\nissuers:\n  - issuer: ${issuer.url}\n`)
  // The testing issuer's own signing key, exported as a user would keep it.
  pemKey = join(dir, 'issuer-key.pem')
  await writeFile(pemKey, issuer.key('ES256').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
})
afterAll(async () => {
  await issuer?.close()
  await rm(dir, { recursive: true, force: true })
})

const mint = (...args: string[]) =>
  runCli(['token', 'mint', '--key', pemKey, '--kid', issuer.key('ES256').kid, '--iss', issuer.url, ...args])

describe('token mint → verify', () => {
  it('mints with the testing issuer’s key and verifies through its discovery, printing the user', async () => {
    const minted = await mint(
      '--aud',
      AUDIENCE,
      '--sub',
      'user-42',
      '--scope',
      'orders:read',
      '--claim',
      'email="ada@example.test"',
    )
    expect(minted.code, minted.stderr + minted.stdout).toBe(0)
    const token = minted.stdout.trim()
    expect(token.split('.')).toHaveLength(3)

    const [verified, human] = await Promise.all([
      runCli(['verify', token, '--config', config, '--scope', 'orders:read', '--json']),
      runCli(['verify', '--config', config], { input: token }),
    ])
    expect(verified.code, verified.stderr + verified.stdout).toBe(0)
    expect(verified.json()).toMatchObject({
      valid: true,
      issuer: issuer.url,
      user: { id: 'ada@example.test', subject: 'user-42', scopes: ['orders:read'] },
      claims: { aud: AUDIENCE, sub: 'user-42' },
    })

    expect(human.code, human.stderr + human.stdout).toBe(0)
    expect(human.stdout).toContain('✓ valid')
    expect(human.stdout).toContain('ada@example.test')
  })

  it('answers exit 2 with the AuthError code for a wrong audience, a missing scope and an expired token', async () => {
    const [wrongAudience, good, expired] = await Promise.all([
      mint('--aud', 'https://elsewhere.test'),
      mint('--aud', AUDIENCE, '--sub', 'u'),
      mint('--aud', AUDIENCE, '--sub', 'u', '--claim', 'exp=1000000000'),
    ]).then((runs) => runs.map((run) => run.stdout.trim()))
    const [answer, scoped, late] = await Promise.all([
      runCli(['verify', wrongAudience as string, '--config', config, '--json']),
      runCli(['verify', good as string, '--config', config, '--scope', 'admin', '--json']),
      runCli(['verify', expired as string, '--config', config]),
    ])
    expect(answer.code, answer.stderr + answer.stdout).toBe(2)
    expect(answer.json()).toEqual({
      valid: false,
      code: 'token_audience_invalid',
      status: 401,
      message: 'The access token is invalid.',
    })
    expect(scoped.code, scoped.stderr + scoped.stdout).toBe(2)
    expect(scoped.json()).toMatchObject({ valid: false, code: 'insufficient_scope', status: 403 })
    expect(late.code, late.stderr + late.stdout).toBe(2)
    expect(late.stdout).toContain('token_expired')
  })

  it('answers exit 4 when the issuer’s keys cannot be fetched', async () => {
    const token = (await mint('--aud', AUDIENCE, '--sub', 'u')).stdout.trim()
    issuer.setMode('down')
    try {
      const answer = await runCli(['verify', token, '--config', config, '--json'])
      expect(answer.code, answer.stderr + answer.stdout).toBe(4)
      expect(answer.json()).toMatchObject({ valid: false, code: 'issuer_unavailable', status: 503 })
    } finally {
      issuer.setMode('ok')
    }
  })

  it('keygen writes a 0600 private JWK that mints tokens a static-key config accepts', async () => {
    const keyFile = join(dir, 'cli-key.json')
    const generated = await runCli(['token', 'keygen', '--alg', 'EdDSA', '--out', keyFile, '--json'])
    expect(generated.code, generated.stderr + generated.stdout).toBe(0)
    const { publicJwk, kid } = generated.json()
    expect(publicJwk).toMatchObject({ kty: 'OKP', alg: 'EdDSA', kid })
    expect(publicJwk.d).toBeUndefined()
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)

    const staticConfig = join(dir, 'static.yaml')
    await writeFile(
      staticConfig,
      `audience: ${AUDIENCE}\nissuers:\n  - issuer: https://cli.test\n    publicKeys:\n      - ${JSON.stringify(publicJwk)}\n`,
    )
    const claims = JSON.stringify({ sub: 'svc', aud: AUDIENCE, iss: 'https://cli.test', roles: ['a'] })
    const token = (await runCli(['token', 'mint', '--key', keyFile, '--claims-json', claims])).stdout.trim()
    const verified = await runCli(['verify', token, '--config', staticConfig, '--json'])
    expect(verified.code, verified.stderr + verified.stdout).toBe(0)
    expect(verified.json().claims).toMatchObject({ roles: ['a'], sub: 'svc' })

    const again = await runCli(['token', 'keygen', '--out', keyFile])
    expect(again.code, again.stderr + again.stdout).toBe(1)
    expect(again.stderr).toContain('not overwritten')
  })
})

describe('decode', () => {
  it('shows header and claims marked UNVERIFIED, from an argument or standard input', async () => {
    const token = (await mint('--aud', AUDIENCE, '--sub', 'user-7')).stdout.trim()
    const [human, json] = await Promise.all([
      runCli(['decode', token]),
      runCli(['decode', '-', '--json'], { input: `Bearer ${token}\n` }),
    ])
    expect(human.code, human.stderr + human.stdout).toBe(0)
    expect(human.stdout.split('\n')[0]).toContain('UNVERIFIED')
    expect(human.stdout).toContain('"sub": "user-7"')
    expect(human.stdout).toMatch(/exp +\d{4}-\d\d-\d\dT.*\(in 1[45] min\)/)

    expect(json.code, json.stderr + json.stdout).toBe(0)
    expect(json.json()).toMatchObject({
      verified: false,
      header: { alg: 'ES256', kid: issuer.key('ES256').kid, typ: 'JWT' },
      claims: { sub: 'user-7', iss: issuer.url },
    })
  })

  it('refuses a malformed token with a clean message and exit 2', async () => {
    const cases = [
      ['not-a-token', 'expected three dot-separated segments'],
      ['e30.!!!.sig', 'the payload is not base64url'],
      [`${Buffer.from('{"alg":"none"}').toString('base64url')}.bm90IGpzb24.x`, 'the payload is not JSON'],
    ] as const
    const answers = await Promise.all(cases.map(([token]) => runCli(['decode', token])))
    for (const [index, answer] of answers.entries()) {
      const reason = cases[index]?.[1] as string
      expect(answer.code, answer.stderr + answer.stdout).toBe(2)
      expect(answer.stdout).toBe('')
      expect(answer.stderr).toContain(reason)
      expect(answer.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
    const json = await runCli(['decode', 'a.b', '--json'])
    expect(json.code, json.stderr + json.stdout).toBe(2)
    expect(json.json()).toEqual({
      error: {
        code: 'token_malformed',
        message:
          'not a well-formed JWT: expected three dot-separated segments (header.payload.signature), found 2',
        exitCode: 2,
      },
    })
  })
})
