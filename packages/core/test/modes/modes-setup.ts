import { type MercuryStandIn, type MercuryStandInOptions, startMercuryStandIn } from '@portcullis/testing'
import { afterEach } from 'vitest'
import type { AuthInput } from '../../src/index.js'

export const SIGNING_SECRET = 'shared-signing-secret-for-tests-only'
export const SERVICE_ID = 'svc-orders'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

export async function mercuryForTest(options: Partial<MercuryStandInOptions> = {}): Promise<MercuryStandIn> {
  const mercury = await startMercuryStandIn({ signingSecret: SIGNING_SECRET, ...options })
  cleanups.push(() => mercury.close())
  return mercury
}

/** Config sections for project authentication against a Mercury stand-in. */
export function projectConfig(mercury: MercuryStandIn, extra: Record<string, unknown> = {}) {
  return {
    mercury: { baseUrl: mercury.url, projectTokens: { tokenLiveness: 'off' as const } },
    projects: { signingSecret: SIGNING_SECRET },
    service: { id: SERVICE_ID },
    ...extra,
  }
}

export function request(headers: Record<string, string>, extra: Partial<AuthInput> = {}): AuthInput {
  return { headers, ...extra }
}

export const appHeaders = (appId: string, secret: string) => ({ 'x-app-id': appId, 'x-app-secret': secret })
