import type { PortcullisContext } from '@portcullis/graphql'
import PortcullisPlugin from '@portcullis/graphql/pothos'
import SchemaBuilder from '@pothos/core'
import type { GraphQLSchema } from 'graphql'
import type { YogaInitialContext } from 'graphql-yoga'
import {
  type Profile,
  type ProjectData,
  type ProjectView,
  profileOf,
  projectDataOf,
  projectOf,
  type Report,
  reportsFor,
  type SecureResource,
  secureResourceFor,
} from './domain.js'

type Context = YogaInitialContext & PortcullisContext

/** The domain as a code-first Pothos schema guarded by the Portcullis plugin (`auth`, `scopes` options). */
export function buildPothosSchema(projectMode: boolean): GraphQLSchema {
  const builder = new SchemaBuilder<{ Context: Context }>({ plugins: [PortcullisPlugin] })

  const ProfileType = builder.objectRef<Profile>('Profile').implement({
    fields: (t) => ({
      id: t.exposeString('id'),
      uuid: t.exposeString('uuid'),
      email: t.exposeString('email', { nullable: true }),
      name: t.exposeString('name', { nullable: true }),
      scopes: t.exposeStringList('scopes'),
      projectUuid: t.exposeString('projectUuid', { nullable: true }),
    }),
  })
  const ReportType = builder.objectRef<Report>('Report').implement({
    fields: (t) => ({
      id: t.exposeString('id'),
      title: t.exposeString('title'),
      owner: t.exposeString('owner'),
    }),
  })
  const ProjectType = builder.objectRef<ProjectView>('Project').implement({
    fields: (t) => ({ uuid: t.exposeString('uuid'), name: t.exposeString('name', { nullable: true }) }),
  })
  const DatasetType = builder.objectRef<ProjectData['datasets'][number]>('Dataset').implement({
    fields: (t) => ({ id: t.exposeString('id'), rows: t.exposeInt('rows') }),
  })
  const ProjectDataType = builder.objectRef<ProjectData>('ProjectData').implement({
    fields: (t) => ({
      project: t.field({ type: ProjectType, resolve: (data) => data.project }),
      datasets: t.field({ type: [DatasetType], resolve: (data) => data.datasets }),
    }),
  })
  const SecureType = builder.objectRef<SecureResource>('SecureResource').implement({
    fields: (t) => ({
      message: t.exposeString('message'),
      user: t.exposeString('user'),
      project: t.field({ type: ProjectType, resolve: (data) => data.project }),
    }),
  })

  builder.queryType({
    fields: (t) => ({
      health: t.string({ resolve: () => 'ok' }),
      // Non-null, as in the SDL schema: a refused field leaves no data, so the answer carries the 401/403.
      me: t.authenticatedField({
        type: ProfileType,
        nullable: false,
        auth: 'jwt',
        scopes: ['profile:read'],
        resolve: (_root, _args, ctx) => profileOf(ctx.user),
      }),
      reports: t.authenticatedField({
        type: [ReportType],
        nullable: false,
        auth: 'jwt',
        scopes: ['reports:read'],
        resolve: (_root, _args, ctx) => reportsFor(ctx.user),
      }),
    }),
  })

  if (projectMode) {
    builder.queryFields((t) => ({
      project: t.field({
        type: ProjectDataType,
        nullable: false,
        auth: 'project',
        resolve: (_root, _args, ctx) => projectDataOf(projectOf(ctx) as ProjectView),
      }),
      secure: t.field({
        type: SecureType,
        nullable: false,
        auth: 'combined',
        scopes: ['secure:read'],
        resolve: (_root, _args, ctx) => secureResourceFor(ctx.user!, projectOf(ctx) as ProjectView),
      }),
    }))
  }
  return builder.toSchema()
}
