import { request as httpRequest } from 'node:http'
import type { PortcullisConfigInput } from '@portcullis/core'
import { type MercuryStandIn, startMercuryStandIn, type TestIssuer } from '@portcullis/testing'
import { configFor } from './support.js'

export const SIGNING_SECRET = 'nestjs-adapter-signing-secret-for-tests'
export const SERVICE_ID = 'svc-orders'
export const PROJECT_A = '11111111-1111-4111-8111-111111111111'
export const PROJECT_B = '22222222-2222-4222-8222-222222222222'

/**
 * A real Mercury stand-in knowing three projects: `app-a` and `app-b` have this service enabled, `app-off`
 * only another one. Its tenants (the project uuids) sign project tokens with their own keys.
 */
export function startMercury(): Promise<MercuryStandIn> {
  return startMercuryStandIn({
    signingSecret: SIGNING_SECRET,
    projects: [
      {
        appId: 'app-a',
        appSecret: 'pw-a',
        projectUuid: PROJECT_A,
        projectName: 'Alpha',
        enabledServices: [SERVICE_ID],
      },
      { appId: 'app-b', appSecret: 'pw-b', projectUuid: PROJECT_B, enabledServices: [SERVICE_ID] },
      { appId: 'app-off', appSecret: 'pw-off', enabledServices: ['svc-other'] },
    ],
  })
}

/** A core configuration trusting `issuer` for user tokens and `mercury` for project credentials. */
export function projectConfigFor(
  issuer: TestIssuer,
  mercury: MercuryStandIn,
  extra: Partial<PortcullisConfigInput> = {},
): PortcullisConfigInput {
  return configFor(issuer, {
    mercury: { baseUrl: mercury.url, projectTokens: { tokenLiveness: 'off' } },
    projects: { signingSecret: SIGNING_SECRET },
    service: { id: SERVICE_ID },
    ...extra,
  })
}

/** App credentials as a client sends them. */
export function appCredentials(appId: string, secret: string): Record<string, string> {
  return { 'x-app-id': appId, 'x-app-secret': secret }
}

/**
 * A GET over a real socket from a chosen loopback address (127.0.0.2, ...), so a test can be two clients.
 * Resolves with the status and the response headers.
 */
export function getFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { localAddress, headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}
