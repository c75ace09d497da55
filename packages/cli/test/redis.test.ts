import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth, hashProjectSecret } from '@portcullis/core'
import { type RedisServer, startRedisServer, startTestIssuer, type TestIssuer } from '@portcullis/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from './support/run-cli.js'

const AUDIENCE = 'https://api.test'
const SIGNING_SECRET = 'cli-test-signature-secret'
const SERVICE_ID = 'orders-api'

let issuer: TestIssuer
let redis: RedisServer
let dir: string
let config: string
let keyFile: string

beforeAll(async () => {
  ;[issuer, redis, dir] = await Promise.all([
    startTestIssuer({ algs: ['ES256'] }),
    startRedisServer(),
    mkdtemp(join(tmpdir(), 'portcullis-cli-redis-')),
  ])
  config = join(dir, 'portcullis.yaml')
  await writeFile(
    config,
    [
      `audience: ${AUDIENCE}`,
      'issuers:',
      `  - issuer: ${issuer.url}`,
      'redis:',
      `  url: ${redis.url}`,
      'projects:',
      `  signingSecret: ${SIGNING_SECRET}`,
      '  resolvers: [redis]',
      'service:',
      `  id: ${SERVICE_ID}`,
      '',
    ].join('\n'),
  )
  keyFile = join(dir, 'key.pem')
  await writeFile(keyFile, issuer.key('ES256').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
})
afterAll(async () => {
  await Promise.all([issuer?.close(), redis?.close()])
  await rm(dir, { recursive: true, force: true })
})

const mint = async (...args: string[]) => {
  const run = await runCli([
    'token',
    'mint',
    '--key',
    keyFile,
    '--kid',
    issuer.key('ES256').kid,
    '--iss',
    issuer.url,
    '--aud',
    AUDIENCE,
    ...args,
  ])
  expect(run.code, run.stderr + run.stdout).toBe(0)
  return run.stdout.trim()
}
const verify = (token: string) => runCli(['verify', token, '--config', config, '--json'])

describe('revoke', () => {
  it('revokes a token by jti in Redis: verify then fails with token_revoked, and --undo restores it', async () => {
    const token = await mint('--sub', 'user-1', '--jti', 'jti-revoke-me')
    expect((await verify(token)).code).toBe(0)

    const revoked = await runCli(['revoke', '--token', token, '--config', config, '--json'])
    expect(revoked.code, revoked.stderr + revoked.stdout).toBe(0)
    expect(revoked.json()).toMatchObject({ revoked: true, kind: 'jti', id: 'jti-revoke-me' })
    const refused = await verify(token)
    expect(refused.code, refused.stderr + refused.stdout).toBe(2)
    expect(refused.json()).toMatchObject({ valid: false, code: 'token_revoked' })

    const restored = await runCli(['revoke', '--jti', 'jti-revoke-me', '--undo', '--config', config])
    expect(restored.code, restored.stderr + restored.stdout).toBe(0)
    expect(restored.stdout).toContain('Restored token jti-revoke-me')
    expect((await verify(token)).code).toBe(0)
  })

  it('revokes every token of a subject issued until now', async () => {
    const token = await mint('--sub', 'user-2')
    const revoked = await runCli(['revoke', '--sub', 'user-2', '--config', config])
    expect(revoked.code, revoked.stderr + revoked.stdout).toBe(0)
    const [refused, other] = await Promise.all([verify(token), mint('--sub', 'user-3').then(verify)])
    expect(refused.json().code).toBe('token_revoked')
    expect(other.code, other.stderr + other.stdout).toBe(0)
  })

  it('needs redis in the config (exit 3) and a reachable Redis (exit 4); one target only (exit 1)', async () => {
    const noRedis = join(dir, 'no-redis.yaml')
    const unreachable = join(dir, 'unreachable.yaml')
    await writeFile(noRedis, `audience: ${AUDIENCE}\nissuers:\n  - issuer: ${issuer.url}\n`)
    await writeFile(
      unreachable,
      `audience: ${AUDIENCE}\nissuers:\n  - issuer: ${issuer.url}\nredis:\n  url: redis://127.0.0.1:9\n`,
    )
    const token = await mint('--sub', 'user-9')
    const [missing, down, both, verifyDown] = await Promise.all([
      runCli(['revoke', '--jti', 'x', '--config', noRedis, '--json']),
      runCli(['revoke', '--jti', 'x', '--config', unreachable, '--json']),
      runCli(['revoke', '--jti', 'x', '--sub', 'y', '--config', config, '--json']),
      // verify fails closed, as a service would: revocations cannot be vouched for.
      runCli(['verify', token, '--config', unreachable, '--json']),
    ])
    expect(verifyDown.code, verifyDown.stderr + verifyDown.stdout).toBe(4)
    expect(verifyDown.json()).toMatchObject({ valid: false, code: 'auth_unavailable', status: 503 })
    expect(missing.code, missing.stderr + missing.stdout).toBe(3)
    expect(missing.json().error).toMatchObject({ code: 'config_invalid', issues: [{ path: 'redis' }] })
    expect(down.code, down.stderr + down.stdout).toBe(4)
    expect(down.json().error.code).toBe('redis_unavailable')
    expect(both.code, both.stderr + both.stdout).toBe(1)
  })
})

describe('project', () => {
  const authenticateProject = async (appId: string, secret: string) => {
    const auth = createAuth({
      audience: AUDIENCE,
      redis: { url: redis.url },
      projects: { signingSecret: SIGNING_SECRET, resolvers: ['redis'], cache: { ttlSec: 1 } },
      service: { id: SERVICE_ID },
    })
    try {
      const result = await auth.authenticate(
        { headers: { 'x-app-id': appId, 'x-app-secret': secret } },
        { mode: 'project' },
      )
      return result.project?.projectUuid
    } catch (error) {
      return (error as { code: string }).code
    } finally {
      await auth.close()
    }
  }

  it('create stores only the secret’s HMAC in Redis; the credentials work until disable revokes them', async () => {
    const created = await runCli([
      'project',
      'create',
      '--name',
      'Billing Sync',
      '--scope',
      'orders:read',
      '--config',
      config,
      '--json',
    ])
    expect(created.code, created.stderr + created.stdout).toBe(0)
    const project = created.json()
    expect(project).toMatchObject({
      store: 'redis',
      projectName: 'Billing Sync',
      enabledServices: [SERVICE_ID],
    })
    expect(project.appId).toMatch(/^billing-sync-[0-9a-f]{8}$/)
    expect(project.appSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const client = new Redis(redis.url)
    try {
      const stored = await client.hgetall(`project:${project.appId}`)
      expect(stored).toMatchObject({
        secret_hash: hashProjectSecret(project.appSecret, SIGNING_SECRET),
        project_uuid: project.projectUuid,
        enabled: 'true',
        enabled_services: JSON.stringify([SERVICE_ID]),
      })
      expect(JSON.stringify(stored)).not.toContain(project.appSecret)
    } finally {
      client.disconnect()
    }
    expect(
      await Promise.all([
        authenticateProject(project.appId, project.appSecret),
        authenticateProject(project.appId, 'wrong-secret'),
      ]),
    ).toEqual([project.projectUuid, 'project_credentials_invalid'])
    const [duplicate, unknown] = await Promise.all([
      runCli(['project', 'create', '--name', 'x', '--app-id', project.appId, '--config', config]),
      runCli(['project', 'disable', 'no-such-app', '--config', config, '--json']),
    ])
    expect(duplicate.code, duplicate.stderr + duplicate.stdout).toBe(1)
    expect(duplicate.stderr).toContain('already exists')
    expect(unknown.code, unknown.stderr + unknown.stdout).toBe(1)
    expect(unknown.json().error.code).toBe('project_not_found')

    const disabled = await runCli(['project', 'disable', project.appId, '--config', config, '--json'])
    expect(disabled.code, disabled.stderr + disabled.stdout).toBe(0)
    expect(disabled.json()).toMatchObject({ enabled: false, projectUuid: project.projectUuid })
    expect(await authenticateProject(project.appId, project.appSecret)).toBe('project_revoked')

    const enabled = await runCli(['project', 'enable', project.appId, '--config', config])
    expect(enabled.code, enabled.stderr + enabled.stdout).toBe(0)
    // At once: the revocation is lifted, and a disabled record is never left in the shared cache.
    expect(await authenticateProject(project.appId, project.appSecret)).toBe(project.projectUuid)
  })

  it('create --store yaml prints a static record to paste, holding only the HMAC', async () => {
    const created = await runCli([
      'project',
      'create',
      '--name',
      'Static One',
      '--app-id',
      'static-one',
      '--store',
      'yaml',
      '--config',
      config,
    ])
    expect(created.code, created.stderr + created.stdout).toBe(0)
    const secret = /app secret +(\S+)/.exec(created.stdout)?.[1] ?? ''
    const yaml = created.stdout.slice(created.stdout.indexOf('- appId'))
    const [record] = parse(yaml)
    expect(record).toMatchObject({
      appId: 'static-one',
      secretHash: hashProjectSecret(secret, SIGNING_SECRET),
      enabledServices: [SERVICE_ID],
    })
    expect(yaml).not.toContain(secret)

    // The record is what loadConfig accepts under projects.static.
    const staticConfig = join(dir, 'static-projects.yaml')
    await writeFile(
      staticConfig,
      `audience: ${AUDIENCE}\nprojects:\n  signingSecret: ${SIGNING_SECRET}\n  resolvers: [static]\n  static:\n${yaml
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n')}\n`,
    )
    const checked = await runCli(['config', 'check', '--config', staticConfig, '--json'])
    expect(checked.code, checked.stderr + checked.stdout).toBe(0)
    expect(checked.json()).toMatchObject({ valid: true, projectResolvers: ['static'] })
  })
})
