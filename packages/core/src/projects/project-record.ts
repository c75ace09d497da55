import { z } from 'zod'
import type { ProjectRecord } from './project.js'

/** A record as a resolver may give it: only the uuid is required; the rest takes Mercury's defaults. */
export const projectRecordSchema = z.object({
  projectUuid: z.string().min(1).max(256),
  projectName: z.string().max(512).optional(),
  enabled: z.boolean().default(true),
  enabledServices: z.array(z.string()).default([]),
  scopes: z.array(z.string()).default([]),
  secretVersion: z.number().int().nonnegative().default(0),
})

export type ProjectRecordInput = z.input<typeof projectRecordSchema>

/** Validates a record and fills defaults; throws (a resolver fault, so 503) when it cannot describe a project. */
export function toProjectRecord(value: unknown): ProjectRecord {
  const parsed = projectRecordSchema.safeParse(value)
  if (!parsed.success)
    throw new Error(`invalid project record: ${parsed.error.issues[0]?.message ?? 'shape'}`)
  const { projectName, ...rest } = parsed.data
  return { ...rest, ...(projectName !== undefined && { projectName }) }
}
