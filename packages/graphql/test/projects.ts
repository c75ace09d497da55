import type { PortcullisConfigInput } from '@portcullis/core'
import { type MercuryStandIn, startMercuryStandIn } from '@portcullis/testing'
import { afterAll, beforeAll } from 'vitest'

/** `SIGNATURE_SHARED_SECRET` shared by the Mercury stand-in and the Auth under test. */
export const SIGNING_SECRET = 'graphql-adapter-signing-secret-for-tests'
/** This service's id (`SERVICE_ID`): projects must have it among their enabled services. */
export const SERVICE_ID = 'svc-graphql'

export const PROJECT_A = '11111111-1111-4111-8111-111111111111'
export const PROJECT_B = '22222222-2222-4222-8222-222222222222'

/**
 * One real Mercury stand-in for the whole test file (its RSA keys are made once): project `app-a`
 * (Alpha, tenant PROJECT_A) and `app-b` (tenant PROJECT_B) may call this service; `app-off` may not.
 */
export function mercuryForFile(): { readonly current: MercuryStandIn } {
  const holder = {} as { current: MercuryStandIn }
  beforeAll(async () => {
    holder.current = await startMercuryStandIn({
      signingSecret: SIGNING_SECRET,
      projects: [
        {
          appId: 'app-a',
          appSecret: 'secret-a',
          projectUuid: PROJECT_A,
          projectName: 'Alpha',
          enabledServices: [SERVICE_ID],
        },
        { appId: 'app-b', appSecret: 'secret-b', projectUuid: PROJECT_B, enabledServices: [SERVICE_ID] },
        { appId: 'app-off', appSecret: 'secret-off', enabledServices: ['svc-other'] },
      ],
    })
  })
  afterAll(() => holder.current.close())
  return holder
}

/** The config sections that turn project authentication on, against the stand-in. */
export function projectConfig(
  mercury: MercuryStandIn,
  extra: Partial<PortcullisConfigInput> = {},
): Partial<PortcullisConfigInput> {
  return {
    mercury: { baseUrl: mercury.url, projectTokens: { tokenLiveness: 'off' } },
    projects: { signingSecret: SIGNING_SECRET },
    service: { id: SERVICE_ID },
    ...extra,
  }
}

export const appHeaders = (appId: string, secret: string): Record<string, string> => ({
  'x-app-id': appId,
  'x-app-secret': secret,
})
