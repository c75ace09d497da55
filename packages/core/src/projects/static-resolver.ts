import type { StaticProjectInput } from './config.js'
import { staticProjectSchema } from './config.js'
import type { ProjectCredentials } from './credentials.js'
import type { ProjectRecord } from './project.js'
import type { ProjectResolver } from './resolver.js'
import { secretHashesEqual } from './secret-hash.js'

interface StoredProject {
  secretHash: string
  record: ProjectRecord
}

/**
 * Projects listed in configuration (YAML `projects.static`), each with the HMAC of its secret. Unknown app ids
 * answer undefined so a later resolver may know them.
 */
export class StaticProjectResolver implements ProjectResolver {
  readonly name = 'static'
  readonly #projects = new Map<string, StoredProject>()

  constructor(projects: readonly StaticProjectInput[]) {
    for (const input of projects) {
      const { appId, secretHash, projectName, ...rest } = staticProjectSchema.parse(input)
      this.#projects.set(appId, {
        secretHash,
        record: Object.freeze({ ...rest, ...(projectName !== undefined && { projectName }) }),
      })
    }
  }

  async resolve(credentials: ProjectCredentials): Promise<ProjectRecord | undefined> {
    const stored = this.#projects.get(credentials.appId)
    if (!stored) return undefined
    return secretHashesEqual(credentials.secretHash, stored.secretHash) ? stored.record : undefined
  }
}
