import { AuthError, because } from '../errors.js'
import type { ProjectIdentity } from './project.js'

/**
 * Throws 403 `insufficient_scope` unless `serviceId` is among the project's `enabledServices`. Service
 * tokens are exempt (another service calling is authorized by its scopes). The client-facing error names
 * neither this service nor the project's list: the ports' "Enabled services: a, b" told callers too much.
 */
export function requireServiceEnabled(identity: ProjectIdentity, serviceId: string): void {
  if (identity.tokenType === 'service') return
  if (!identity.enabledServices.includes(serviceId)) {
    throw new AuthError('insufficient_scope', {
      cause: because(`service ${serviceId} is not enabled for project ${identity.projectUuid}`),
    })
  }
}
