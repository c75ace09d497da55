import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, createAuth, loadConfig } from '../src/index.js'

async function yamlFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-config-'))
  const path = join(dir, 'portcullis.yaml')
  await writeFile(path, text)
  return path
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('loadConfig', () => {
  it('reads YAML and fills in documented defaults', async () => {
    const path = await yamlFile(`
issuers:
  - issuer: https://id.example.com
    audience: https://api.example.com
    preset: auth0
`)
    const config = await loadConfig({ path, env: {} })
    expect(config.issuers[0]).toMatchObject({
      issuer: 'https://id.example.com',
      preset: 'auth0',
      discovery: true,
    })
    expect(config.clockToleranceSec).toBe(30)
    expect(config.tokenCache).toMatchObject({ enabled: true, maxEntries: 10_000, ttlSec: 900 })
    expect(config.jwks).toMatchObject({ ttlSec: 600, cooldownSec: 30 })
  })

  it('maps the Wazobia environment names', async () => {
    const config = await loadConfig({
      path: await yamlFile('audience: https://api.example.com\n'),
      env: {
        REDIS_URL: 'redis://127.0.0.1:6380',
        MERCURY_BASE_URL: 'https://mercury.example.com',
        SIGNATURE_SHARED_SECRET: 'shh',
        SERVICE_ID: 'svc-1',
        CLIENT_ID: 'client-1',
        CLIENT_SECRET: 'client-secret',
        NEXUS_ID: 'nexus-1',
        CACHE_EXPIRY_TIME: '120',
        JWKS_CACHE_TTL: '60',
      },
    })
    expect(config.redis?.url).toBe('redis://127.0.0.1:6380')
    expect(config.mercury?.baseUrl).toBe('https://mercury.example.com')
    expect(config.projects).toMatchObject({
      signingSecret: 'shh',
      defaultProjectId: 'nexus-1',
      cache: { ttlSec: 120 },
    })
    expect(config.service).toMatchObject({ id: 'svc-1', clientId: 'client-1', clientSecret: 'client-secret' })
    expect(config.tokenCache.ttlSec).toBe(120)
    expect(config.jwks.ttlSec).toBe(60)
  })

  it('lets PORTCULLIS_* variables override the file, with nesting and typed scalars', async () => {
    const path = await yamlFile(
      'issuers:\n  - issuer: https://a.example\n    audience: x\nclockToleranceSec: 10\n',
    )
    const config = await loadConfig({
      path,
      env: {
        PORTCULLIS_CLOCK_TOLERANCE_SEC: '5',
        PORTCULLIS_TOKEN_CACHE__MAX_ENTRIES: '50',
        PORTCULLIS_TOKEN_CACHE__ENABLED: 'false',
        PORTCULLIS_AUDIENCE: 'y,z',
      },
    })
    expect(config.clockToleranceSec).toBe(5)
    expect(config.tokenCache).toMatchObject({ maxEntries: 50, enabled: false })
    expect(config.issuers[0]?.audience).toEqual(['y', 'z'])
  })

  it('configures a single issuer from the environment alone', async () => {
    const config = await loadConfig({
      path: undefined,
      env: {
        PORTCULLIS_ISSUER: 'https://id.example.com',
        PORTCULLIS_AUDIENCE: 'api',
        PORTCULLIS_PRESET: 'okta',
      },
    })
    expect(config.issuers).toHaveLength(1)
    expect(config.issuers[0]).toMatchObject({
      issuer: 'https://id.example.com',
      audience: 'api',
      preset: 'okta',
    })
  })

  it('names the field at fault', async () => {
    const cases: [string, RegExp][] = [
      ['issuers:\n  - issuer: https://a.example\n', /issuers\[0\]\.audience: an audience is required/],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    preset: keycloak\n',
        /issuers\[0\]\.preset/,
      ],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    algorithms: [HS256]\n',
        /issuers\[0\]\.algorithms: HS algorithms need hsSecret/,
      ],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    algorithms: [none]\n',
        /issuers\[0\]\.algorithms\[0\]/,
      ],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    hsSecret: short\n    algorithms: [HS256]\n',
        /issuers\[0\]\.hsSecret/,
      ],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    jwksUri: ftp://x\n',
        /issuers\[0\]\.jwksUri/,
      ],
      ['audience: x\nclockToleranceSec: -1\n', /clockToleranceSec/],
      ['audience: x\ntokenCache:\n  maxEntrys: 5\n', /tokenCache.*maxEntrys/],
      [
        'audience: x\nissuers:\n  - issuer: https://a.example\n    hsSecret: 0123456789abcdef0123456789abcdef\n    algorithms: [HS256, RS256]\n',
        /with hsSecret, list only HS/,
      ],
    ]
    for (const [yaml, message] of cases) {
      const path = await yamlFile(yaml)
      const error = await configError(loadConfig({ path, env: {} }))
      expect(error.message).toMatch(message)
      expect(error.message).toContain(path)
    }
  })

  it('reports a non-numeric CACHE_EXPIRY_TIME as that field, not silently', async () => {
    const error = await configError(
      loadConfig({ path: await yamlFile('audience: x\n'), env: { CACHE_EXPIRY_TIME: 'soon' } }),
    )
    expect(error.message).toMatch(/tokenCache\.ttlSec/)
  })

  it('fails on an explicit path that does not exist, and on YAML that is not a mapping', async () => {
    expect(
      (await configError(loadConfig({ path: '/nonexistent/portcullis.yaml', env: {} }))).message,
    ).toMatch(/cannot read/)
    expect((await configError(loadConfig({ path: await yamlFile('- a\n- b\n'), env: {} }))).message).toMatch(
      /mapping/,
    )
    expect((await configError(loadConfig({ path: await yamlFile('a: [\n'), env: {} }))).message).toMatch(
      /not valid YAML/,
    )
  })

  it('createAuth validates too, and rejects one issuer configured twice', () => {
    expect(() => createAuth({ issuers: [{ issuer: 'https://a' }] })).toThrow(ConfigError)
    expect(() =>
      createAuth({
        audience: 'x',
        issuers: [{ issuer: 'https://a.example' }, { issuer: 'https://a.example' }],
      }),
    ).toThrow(/configured twice/)
  })
})
