import type { ProjectCredentials } from './credentials.js'
import type { ProjectRecord } from './project.js'

/**
 * Where project records come from. `resolve` answers the record when the app id is known and the secret
 * is right, undefined when not (the next resolver is asked; if none knows, 401). It may throw an `AuthError`
 * for a definite refusal (`project_revoked`, `insufficient_scope`, `project_credentials_invalid`), which is
 * cached like a miss; any other rejection means "cannot tell now" (503, never cached, never a pass).
 * Resolvers that store secrets compare `credentials.secretHash` with `secretHashesEqual`.
 */
export interface ProjectResolver {
  /** For logs: `static`, `redis`, `mercury`, `function`. */
  readonly name: string
  resolve(credentials: ProjectCredentials, serviceId: string): Promise<ProjectRecord | undefined>
}
