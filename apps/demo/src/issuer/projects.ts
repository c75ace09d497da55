import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'

/** A registered project. The app secret exists only as its HMAC. */
export interface Project {
  uuid: string
  name: string
  appId: string
  enabledServices: readonly string[]
  /** What the project itself may do; core requires them of the project on project and combined routes. */
  scopes: readonly string[]
  enabled: boolean
  createdAt: string
}

interface StoredProject extends Project {
  /** Lowercase hex HMAC-SHA256 of the secret keyed with `SIGNATURE_SHARED_SECRET` (as `@portcullis/core` hashes it). */
  secretHash: string
}

const APP_ID = /^[A-Za-z0-9._~-]{1,128}$/

export const newProjectSchema = z
  .object({
    name: z.string().min(1).max(200),
    app_id: z.string().regex(APP_ID, 'letters, digits and . _ ~ - (at most 128)').optional(),
    enabled_services: z.array(z.string().min(1)).default([]),
    scopes: z.array(z.string().min(1)).default([]),
  })
  .strict()

const seedSchema = z.object({
  projects: z.array(
    newProjectSchema.extend({
      uuid: z.string().min(1),
      app_id: z.string().regex(APP_ID),
      app_secret: z.string().min(16),
    }),
  ),
})

/**
 * The project registry behind Mercury's `GET /auth`: app id + secret → project, for the services it enabled.
 */
export class ProjectRegistry {
  readonly #byAppId = new Map<string, StoredProject>()
  readonly #signingSecret: string

  constructor(signingSecret: string) {
    this.#signingSecret = signingSecret
  }

  /** Registers the seed projects of `projects.yaml`, hashing their secrets as they are read. */
  static async load(path: string, signingSecret: string): Promise<ProjectRegistry> {
    const registry = new ProjectRegistry(signingSecret)
    const parsed = seedSchema.safeParse(parse(await readFile(path, 'utf8')))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`)
    }
    for (const seed of parsed.data.projects) {
      const { uuid, app_secret, ...input } = seed
      registry.create(input, {
        uuid,
        secret: app_secret,
      })
    }
    return registry
  }

  /** Creates a project; the secret is returned once and only its HMAC is kept. */
  create(
    input: z.input<typeof newProjectSchema>,
    fixed: { uuid?: string; secret?: string } = {},
  ): { project: Project; appSecret: string } {
    const { name, app_id, enabled_services, scopes } = newProjectSchema.parse(input)
    const appId = app_id ?? `app-${randomBytes(6).toString('hex')}`
    if (this.#byAppId.has(appId)) throw new Error(`app id ${appId} is taken`)
    const appSecret = fixed.secret ?? randomBytes(24).toString('base64url')
    const stored: StoredProject = {
      uuid: fixed.uuid ?? randomUUID(),
      name,
      appId,
      enabledServices: enabled_services,
      scopes,
      enabled: true,
      createdAt: new Date().toISOString(),
      secretHash: this.hashSecret(appSecret),
    }
    this.#byAppId.set(appId, stored)
    return { project: publicView(stored), appSecret }
  }

  hashSecret(secret: string): string {
    return createHmac('sha256', this.#signingSecret).update(secret, 'utf8').digest('hex')
  }

  /** The project when app id and secret match (compared as HMACs, in constant time). */
  verify(appId: string, secret: string): Project | undefined {
    const stored = this.#byAppId.get(appId)
    const presented = Buffer.from(this.hashSecret(secret), 'hex')
    const expected = Buffer.from(stored?.secretHash ?? '0'.repeat(64), 'hex')
    return timingSafeEqual(presented, expected) && stored ? publicView(stored) : undefined
  }

  byUuid(uuid: string): Project | undefined {
    for (const stored of this.#byAppId.values()) if (stored.uuid === uuid) return publicView(stored)
    return undefined
  }

  setEnabled(uuid: string, enabled: boolean): Project | undefined {
    for (const stored of this.#byAppId.values()) {
      if (stored.uuid === uuid) {
        stored.enabled = enabled
        return publicView(stored)
      }
    }
    return undefined
  }

  list(): Project[] {
    return [...this.#byAppId.values()].map(publicView)
  }
}

function publicView({ secretHash: _, ...project }: StoredProject): Project {
  return { ...project, enabledServices: [...project.enabledServices], scopes: [...project.scopes] }
}
