import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createAuth } from '@portcullis/core'
import { demoAuthConfig } from '../../../../apps/demo/src/apis/auth-config.js'
import { createIssuer } from '../../../../apps/demo/src/issuer/issuer.js'
import { SigningKeys } from '../../../../apps/demo/src/issuer/signing-keys.js'

export const DEMO_AUDIENCE = 'portcullis-demo'
export const DEMO_CLIENT_ID = 'portcullis-cli'
export const ADA = { username: 'ada@demo.test', password: 'lovelace-demo' }

export interface DemoIssuer {
  url: string
  close(): Promise<void>
}

/** The demo's Mercury-style issuer (with its authorization code + PKCE flow) on a free loopback port. */
export async function startDemoIssuer(): Promise<DemoIssuer> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const auth = createAuth(
    demoAuthConfig({
      issuerUrl: url,
      audience: DEMO_AUDIENCE,
      signingSecret: 'cli-test-signing-secret',
      serviceId: 'portcullis-demo-api',
      redisUrl: undefined,
    }),
  )
  const issuer = await createIssuer({
    url,
    audience: DEMO_AUDIENCE,
    signingSecret: 'cli-test-signing-secret',
    adminKey: 'cli-test-admin-key',
    accessTokenTtlSec: 900,
    refreshTokenTtlSec: 3600,
    auth,
    keys: await SigningKeys.create({ maxTokenLifetimeSec: 900 }),
    dataDir: fileURLToPath(new URL('../../../../apps/demo/data/', import.meta.url)),
  })
  server.on('request', issuer.app)
  return {
    url,
    close: async () => {
      issuer.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await auth.close()
    },
  }
}

/**
 * What a person does in the browser: open the authorization URL, fill in the sign-in form, and follow the
 * redirect. `tamper` may change the redirect before the browser follows it (an attacker's forged callback).
 */
export async function signInWithBrowser(
  authorizationUrl: string,
  options: {
    credentials?: { username: string; password: string }
    action?: 'deny'
    tamper?: (url: URL) => void
  } = {},
): Promise<{ redirect: URL; callback: Response }> {
  const page = await fetch(authorizationUrl)
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`)
  const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1]
  if (!requestId) throw new Error('no sign-in form')
  const form = new URLSearchParams({ request_id: requestId, ...(options.credentials ?? ADA) })
  if (options.action) form.set('action', options.action)
  const signedIn = await fetch(new URL('/authorize', authorizationUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  })
  if (signedIn.status !== 303) throw new Error(`the sign-in answered ${signedIn.status}`)
  const redirect = new URL(signedIn.headers.get('location') ?? '')
  options.tamper?.(redirect)
  return { redirect, callback: await fetch(redirect) }
}
