import { makeExecutableSchema } from '@graphql-tools/schema'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
} from '@portcullis/graphql'
import type { GraphQLSchema } from 'graphql'
import {
  type ProjectView,
  profileOf,
  projectDataOf,
  projectOf,
  reportsFor,
  secureResourceFor,
} from './domain.js'

const baseTypeDefs = /* GraphQL */ `
  type Profile { id: String!, uuid: String!, email: String, name: String, scopes: [String!]!, projectUuid: String }
  type Report { id: String!, title: String!, owner: String! }
  type Project { uuid: String!, name: String }
  type Dataset { id: String!, rows: Int! }
  type ProjectData { project: Project!, datasets: [Dataset!]! }
  type SecureResource { message: String!, user: String!, project: Project! }
  type Query {
    health: String
    me: Profile! @jwtAuth(scopes: ["profile:read"])
    reports: [Report!]! @jwtAuth @scopes(requires: ["reports:read"])
  }
`

const projectTypeDefs = /* GraphQL */ `
  extend type Query {
    project: ProjectData! @projectAuth
    secure: SecureResource! @combinedAuth(scopes: ["secure:read"])
  }
`

/** The same domain schema-first: SDL with `@jwtAuth`, `@scopes`, `@projectAuth`, `@combinedAuth` directives. */
export function buildSdlSchema(projectMode: boolean): GraphQLSchema {
  const resolvers = {
    Query: {
      health: () => 'ok',
      me: (_: unknown, __: unknown, ctx: PortcullisContext) => profileOf(ctx.user!),
      reports: (_: unknown, __: unknown, ctx: PortcullisContext) => reportsFor(ctx.user!),
      ...(projectMode && {
        project: (_: unknown, __: unknown, ctx: PortcullisContext) =>
          projectDataOf(projectOf(ctx) as ProjectView),
        secure: (_: unknown, __: unknown, ctx: PortcullisContext) =>
          secureResourceFor(ctx.user!, projectOf(ctx) as ProjectView),
      }),
    },
  }
  const typeDefs = [portcullisDirectiveTypeDefs, baseTypeDefs, ...(projectMode ? [projectTypeDefs] : [])]
  return applyPortcullisDirectives(makeExecutableSchema({ typeDefs, resolvers }))
}
