import { type Auth, ConfigError, type PortcullisConfigInput } from '@portcullis/core'

export interface DemoAuthOptions {
  issuerUrl: string
  audience: string
  signingSecret: string
  serviceId: string
  redisUrl: string | undefined
}

/**
 * The one Portcullis configuration every demo API shares. The issuer is found by OIDC discovery; project
 * credentials are looked up at the issuer's Mercury-style `GET /auth`.
 */
export function demoAuthConfig(options: DemoAuthOptions): PortcullisConfigInput {
  return {
    audience: options.audience,
    issuers: [{ issuer: options.issuerUrl, preset: 'mercury' }],
    // The issuer publishes its next key ahead, so an unknown kid is rare; when one comes, look again soon.
    jwks: { cooldownSec: 5 },
    ...(options.redisUrl !== undefined && { redis: { url: options.redisUrl } }),
    mercury: {
      baseUrl: options.issuerUrl,
      // Mercury project tokens (`x-project-token`) are checked for liveness in Mercury's Redis. This issuer
      // mints none, so without Redis there is nothing to consult; with it, the default rule applies.
      projectTokens: { tokenLiveness: options.redisUrl === undefined ? 'off' : 'allowlist' },
    },
    projects: { signingSecret: options.signingSecret },
    service: { id: options.serviceId },
  }
}

/**
 * Whether this build of `@portcullis/core` authenticates projects (modes `project` and `combined`). Until it
 * does, `auth.policy()` refuses those modes with a `ConfigError`, and the demo leaves their routes out
 * rather than serving something that only looks like them.
 */
export function supportsProjectMode(auth: Auth): boolean {
  try {
    auth.policy({ mode: 'project' })
    auth.policy({ mode: 'combined' })
    return true
  } catch (error) {
    if (error instanceof ConfigError) return false
    throw error
  }
}
