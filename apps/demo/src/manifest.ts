/** What a running demo tells the playground, the tour and the tests about itself (`GET /demo/manifest.json`). */
export interface DemoManifest {
  issuer: string
  playground: string
  apis: ApiEndpoint[]
  /** Whether `@portcullis/core` authenticates projects; without it the project routes are not mounted. */
  projectMode: boolean
  cache: 'in-process' | 'redis'
  serviceId: string
  users: { email: string; password: string; name: string }[]
  project: { uuid: string; name: string; appId: string; appSecret: string }
  otherProject: { uuid: string; name: string; appId: string; appSecret: string }
  apiKey: string
  slowCrmApiKey: string
  /** Present only while the admin key is the demo default (not when `DEMO_ADMIN_KEY` is set). */
  adminKey?: string
}

export type ApiName = 'express' | 'nestjs' | 'graphql-pothos' | 'graphql-sdl'
export type Resource = 'profile' | 'reports' | 'project' | 'secure'

export interface ApiEndpoint {
  name: ApiName
  label: string
  kind: 'rest' | 'graphql'
  /** REST: the base URL (resources at `/profile`...); GraphQL: the endpoint. */
  url: string
}

/** The GraphQL query asking for one resource. */
export const GRAPHQL_QUERIES: Readonly<Record<Resource, string>> = {
  profile: '{ me { id email name scopes } }',
  reports: '{ reports { id title } }',
  project: '{ project { project { uuid name } datasets { id rows } } }',
  secure: '{ secure { message user project { uuid name } } }',
}
