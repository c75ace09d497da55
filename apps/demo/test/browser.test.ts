import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RedisServer, startRedisServer } from '@portcullis/testing'
import { Redis } from 'ioredis'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SpawnedDemo, spawnDemo } from '../src/tour/spawn-demo.js'

const CHROMIUM = '/usr/bin/chromium'
// Without the background-networking flags Chromium keeps trying to reach Google, which this machine refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

let demo: SpawnedDemo
let redis: RedisServer
let context: BrowserContext
let page: Page
let profileDir: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the playground is tested in Debian's Chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (as root), then run the tests again.',
    )
  }
  // This demo shares its caches and revocations through a real Redis (REDIS_URL), the tour's runs in-process.
  redis = await startRedisServer()
  demo = await spawnDemo({ REDIS_URL: redis.url })
  profileDir = await mkdtemp(join(tmpdir(), 'demo-chromium-'))
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10_000)
  await page.goto(demo.manifest.playground)
})

afterAll(async () => {
  await context?.close()
  await demo?.stop()
  await redis?.close()
  if (profileDir) await rm(profileDir, { recursive: true, force: true })
})

async function screenshot(name: string): Promise<void> {
  const dir = process.env.DEMO_SCREENSHOT_DIR
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
}

/** The text a person sees in `selector`, polled until it matches (sign-in runs scrypt, which takes a moment). */
const text = (selector: string) =>
  expect.poll(async () => (await page.locator(selector).textContent()) ?? '', { timeout: 10_000 })
const call = (api: string, resource: string) =>
  page.getByRole('button', { name: new RegExp(`^${api}.*: ${resource}`) })

describe('the playground, as a person uses it', () => {
  it('shows the running demo and its APIs', async () => {
    await text('#environment').toContain('caches redis · project credentials on')
    await expect
      .poll(() => page.getByRole('row').count(), { timeout: 10_000 })
      .toBe(1 + demo.manifest.apis.length)
  })

  it('signs in and shows the token decoded and verified', async () => {
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await text('#signin-status').toContain('Signed in as Ada Lovelace')
    await text('#token-verdict').toContain('Token verified by @portcullis/core')
    expect(await page.locator('#token-header').textContent()).toContain('"alg": "RS512"')
    const claims = await page.locator('#token-claims').textContent()
    expect(claims).toContain('"email": "ada@demo.test"')
    expect(claims).toContain('"type": "access"')
    await screenshot('1-signed-in')
  })

  it('calls each API with one click and shows status, headers and body', async () => {
    const apis = [
      ['Express', 'express'],
      ['NestJS', 'nestjs'],
      ['GraphQL Yoga \\+ Pothos', 'graphql-pothos'],
      ['GraphQL Yoga \\+ SDL', 'graphql-sdl'],
    ]
    for (const [label, name] of apis) {
      await call(label as string, 'profile').click()
      await text('#response-headers').toContain(`x-demo-api: ${name}`)
      expect(await page.locator('#response-status').textContent()).toBe('200 OK')
      expect(await page.locator('#response-body').textContent()).toContain('ada@demo.test')
    }
    await screenshot('2-api-call')
  })

  it('shows 401 with the challenge once the token is revoked', async () => {
    await page.getByRole('button', { name: 'Revoke this token' }).click()
    await text('#token-verdict').toContain('Token rejected: 401 token_revoked')
    await call('Express', 'profile').click()
    await text('#response-status').toBe('401 Unauthorized')
    expect(await page.locator('#response-headers').textContent()).toContain('www-authenticate: Bearer')
    expect(await page.locator('#response-body').textContent()).toContain('token_revoked')
    await call('NestJS', 'profile').click()
    await text('#response-body').toContain('"statusCode": 401')
    // The revocation went through Redis, where every other instance would see it too.
    const client = new Redis(redis.url)
    try {
      expect(await client.keys('portcullis:revoked:jti:*')).toHaveLength(1)
    } finally {
      client.disconnect()
    }
    await screenshot('3-revoked')
  })

  it('shows 403 for a missing scope', async () => {
    await page.locator('#user-select').selectOption('grace@demo.test')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await text('#signin-status').toContain('Signed in as Grace Hopper')
    await call('Express', 'reports').click()
    await text('#response-status').toBe('403 Forbidden')
    expect(await page.locator('#response-body').textContent()).toContain('insufficient_scope')
  })

  it('switches to project credentials', async () => {
    await page.getByLabel('Project credentials').check()
    await call('NestJS', 'project').click()
    await text('#response-status').toBe('200 OK')
    expect(await page.locator('#response-body').textContent()).toContain('Analytical Engine')
    await page.locator('#app-secret').fill('not-the-secret')
    await call('GraphQL Yoga \\+ SDL', 'project').click()
    await text('#response-status').toBe('401 Unauthorized')
    expect(await page.locator('#response-body').textContent()).toContain('project_credentials_invalid')
    await screenshot('4-project')
  })
})
