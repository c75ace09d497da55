import type { AuthResult, ProjectIdentity, ServicePrincipal } from '@portcullis/core'
import type { AuthName } from './policy-names.js'

/**
 * What a successful authentication puts on the GraphQL context: every field of core's `AuthResult`
 * (`user`, `claims`, `token`, `issuer` for a bearer token; `project` for project credentials, to
 * branch on `project.tokenType`). Declare your context as `YogaInitialContext & PortcullisContext`
 * to read them in resolvers.
 */
export type PortcullisContext = AuthResult

type Present<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> }

/** The identity a bearer token (JWT) always yields. */
export type JwtIdentity = Present<AuthResult, 'user' | 'claims' | 'token' | 'issuer'>

/** The project (or calling service) project credentials always yield. */
export type ProjectCredentialIdentity = Present<AuthResult, 'project'>

/** What a Mercury service token yields (`@serviceAuth`): the calling service. */
export interface ServiceCredentialIdentity {
  project: ServicePrincipal
}

/**
 * The context a resolver sees once a guard of `Name` has passed (and the policy is not `optional`):
 * `jwt` guarantees `user` and `claims`, `project` the project, `service` a calling service, `combined`
 * user and project, `any` either.
 */
export type AuthenticatedContext<Name extends AuthName = 'jwt'> = PortcullisContext &
  (Name extends 'jwt'
    ? JwtIdentity
    : Name extends 'project'
      ? ProjectCredentialIdentity
      : Name extends 'service'
        ? ServiceCredentialIdentity
        : Name extends 'combined'
          ? JwtIdentity & ProjectCredentialIdentity
          : unknown)

/** A policy's `projectKinds` narrow the project it lets through to those kinds. */
export type ProjectOfKinds<Policy> = Policy extends { projectKinds: readonly (infer Kind)[] }
  ? { project?: OfKind<ProjectIdentity, Kind> }
  : unknown

/** Each member of the union whose `tokenType` can be `Kind`, with `tokenType` narrowed to it. */
type OfKind<Project, Kind> = Project extends { tokenType: infer Type }
  ? [Extract<Type, Kind>] extends [never]
    ? never
    : Project & { tokenType: Extract<Type, Kind> }
  : never
