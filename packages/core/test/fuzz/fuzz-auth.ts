import { startTestIssuer, type TestAlg, type TestIssuer } from '@portcullis/testing'
import { type Auth, createAuth, hashProjectSecret } from '../../src/index.js'

export const APP_ID = 'app-1'
export const APP_SECRET = 'fuzz-app-secret-0123456789'
const AUDIENCE = 'https://api.test'
const SIGNING_SECRET = 'fuzz-signing-secret-0123456789abcdef'

/**
 * The issuer and Auth every fuzz property runs against: bearer tokens from `algs`, and one static project
 * (`APP_ID`/`APP_SECRET`). Failure rate limiting is off: hostile input from one client would otherwise be
 * answered 429 after 20 tries, which is tested elsewhere.
 */
export async function fuzzTarget(algs: readonly TestAlg[]): Promise<{ issuer: TestIssuer; auth: Auth }> {
  const issuer = await startTestIssuer({ audience: AUDIENCE, algs })
  const auth = createAuth({
    audience: AUDIENCE,
    issuers: [{ issuer: issuer.url }],
    rateLimit: { enabled: false },
    service: { id: 'svc-fuzz' },
    projects: {
      signingSecret: SIGNING_SECRET,
      resolvers: ['static'],
      static: [
        {
          appId: APP_ID,
          secretHash: hashProjectSecret(APP_SECRET, SIGNING_SECRET),
          projectUuid: 'project-1',
          enabledServices: ['svc-fuzz'],
        },
      ],
      limits: { lookupsPerSec: 100_000, lookupBurst: 100_000, maxFailuresPerAppId: 1_000_000 },
    },
  })
  await auth.ready()
  return { issuer, auth }
}
