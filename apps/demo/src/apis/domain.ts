import type { AuthResult, User } from '@portcullis/core'

/**
 * The small domain every demo API serves, so the three frameworks can be compared answer for answer:
 * a profile (user), reports (user + scope), project data (project credentials) and a secure resource
 * (user and project together).
 */
export interface Profile {
  id: string
  uuid: string
  email: string | null
  name: string | null
  scopes: string[]
  projectUuid: string | null
}

export interface Report {
  id: string
  title: string
  owner: string
}

export interface ProjectView {
  uuid: string
  name: string | null
}

export interface ProjectData {
  project: ProjectView
  datasets: { id: string; rows: number }[]
}

export interface SecureResource {
  message: string
  user: string
  project: ProjectView
}

export function profileOf(user: User): Profile {
  return {
    id: user.id,
    uuid: user.subject,
    email: user.email ?? null,
    name: user.name ?? null,
    scopes: [...user.scopes],
    projectUuid: user.projectUuid ?? null,
  }
}

export function reportsFor(user: User): Report[] {
  return [
    { id: 'engine-usage-q1', title: 'Engine usage, first quarter', owner: user.id },
    { id: 'punch-cards', title: 'Punch cards consumed', owner: user.id },
  ]
}

/**
 * The project core authenticated, read defensively: `AuthResult.project` arrives with core's project
 * authentication (`{ projectUuid, projectName, ... }`), and is absent from its type until then.
 */
export function projectOf(result: AuthResult | undefined): ProjectView | undefined {
  const project = (result as { project?: { projectUuid?: unknown; projectName?: unknown } } | undefined)
    ?.project
  if (!project || typeof project.projectUuid !== 'string') return undefined
  return {
    uuid: project.projectUuid,
    name: typeof project.projectName === 'string' ? project.projectName : null,
  }
}

export function projectDataOf(project: ProjectView): ProjectData {
  return {
    project,
    datasets: [
      { id: 'bernoulli-numbers', rows: 25 },
      { id: 'jacquard-patterns', rows: 1024 },
    ],
  }
}

export function secureResourceFor(user: User, project: ProjectView): SecureResource {
  return {
    message: `${user.id} reached a resource of ${project.name ?? project.uuid}`,
    user: user.id,
    project,
  }
}
