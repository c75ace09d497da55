import type { ProjectCredentials } from './credentials.js'
import type { ProjectRecord } from './project.js'
import { type ProjectRecordInput, toProjectRecord } from './project-record.js'
import type { ProjectResolver } from './resolver.js'

/** A user function that finds a project; it must check the secret itself (compare `credentials.secretHash`). */
export type ResolveProjectFunction = (
  credentials: ProjectCredentials,
  serviceId: string,
) => ProjectRecordInput | undefined | Promise<ProjectRecordInput | undefined>

/** Wraps a user function as a resolver; what it returns is validated and given Mercury's defaults. */
export function functionProjectResolver(resolve: ResolveProjectFunction): ProjectResolver {
  return {
    name: 'function',
    async resolve(credentials, serviceId): Promise<ProjectRecord | undefined> {
      const found = await resolve(credentials, serviceId)
      return found === undefined ? undefined : toProjectRecord(found)
    },
  }
}
