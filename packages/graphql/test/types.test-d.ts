import type {
  AuthResult,
  Claims,
  ProjectIdentity,
  ProjectPrincipal,
  ServicePrincipal,
  User,
} from '@portcullis/core'
import SchemaBuilder from '@pothos/core'
import type { GraphQLFieldResolver } from 'graphql'
import type { createYoga, YogaInitialContext } from 'graphql-yoga'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AuthenticatedContext,
  type PortcullisContext,
  requiresCombinedAuth,
  requiresJwtAuth,
  requiresProjectAuth,
  requiresServiceAuth,
  usePortcullis,
} from '../src/index.js'
import PortcullisPlugin, { type ContextForAuth } from '../src/pothos/index.js'

type AppContext = YogaInitialContext & PortcullisContext & { requestId: string }

describe('context types', () => {
  it('PortcullisContext is what authenticate() returns: every field optional', () => {
    expectTypeOf<PortcullisContext>().toEqualTypeOf<AuthResult>()
    expectTypeOf<PortcullisContext['user']>().toEqualTypeOf<User | undefined>()
  })

  it('AuthenticatedContext guarantees what each mode yields', () => {
    expectTypeOf<AuthenticatedContext<'jwt'>['user']>().toEqualTypeOf<User>()
    expectTypeOf<AuthenticatedContext<'jwt'>['claims']>().toEqualTypeOf<Claims>()
    expectTypeOf<AuthenticatedContext<'jwt'>['token']>().toEqualTypeOf<string>()
    expectTypeOf<AuthenticatedContext<'combined'>['user']>().toEqualTypeOf<User>()
    expectTypeOf<AuthenticatedContext<'project'>['user']>().toEqualTypeOf<User | undefined>()
    expectTypeOf<AuthenticatedContext<'any'>['user']>().toEqualTypeOf<User | undefined>()
    expectTypeOf<AuthenticatedContext<'project'>['project']>().toEqualTypeOf<ProjectIdentity>()
    expectTypeOf<AuthenticatedContext<'combined'>['project']>().toEqualTypeOf<ProjectIdentity>()
    expectTypeOf<AuthenticatedContext<'any'>['project']>().toEqualTypeOf<ProjectIdentity | undefined>()
    expectTypeOf<AuthenticatedContext<'service'>['project']>().toEqualTypeOf<ServicePrincipal>()
  })
})

type AppResolver<TArgs = Record<string, never>> = GraphQLFieldResolver<unknown, AppContext, TArgs>

describe('resolver wrappers', () => {
  it('requiresJwtAuth narrows the context of the wrapped resolver, inferred from where it is used', () => {
    const resolver: AppResolver<{ id: string }> = requiresJwtAuth((_source, args, context) => {
      expectTypeOf(args).toEqualTypeOf<{ id: string }>()
      expectTypeOf(context.user).toEqualTypeOf<User>()
      expectTypeOf(context.claims).toEqualTypeOf<Claims>()
      expectTypeOf(context.requestId).toEqualTypeOf<string>()
      return context.user.id
    })
    expectTypeOf(resolver).toEqualTypeOf<AppResolver<{ id: string }>>()
  })

  it('returns a resolver over the outer context, resolving to what the inner one returns', () => {
    const wrapped = requiresJwtAuth((_source: unknown, _args: { id: string }, _context: AppContext) => 42)
    expectTypeOf(wrapped).toEqualTypeOf<
      GraphQLFieldResolver<unknown, AppContext, { id: string }, Promise<number>>
    >()
  })

  it('an optional policy leaves the user optional', () => {
    const resolver: AppResolver = requiresJwtAuth(
      (_source, _args, context) => {
        expectTypeOf(context.user).toEqualTypeOf<User | undefined>()
        return context.user?.id ?? null
      },
      { optional: true },
    )
    expectTypeOf(resolver).toEqualTypeOf<AppResolver>()
  })

  it('project and combined wrappers type their context by mode', () => {
    const project: AppResolver = requiresProjectAuth((_source, _args, context) => {
      expectTypeOf(context.user).toEqualTypeOf<User | undefined>()
    })
    const combined: AppResolver = requiresCombinedAuth((_source, _args, context) => {
      expectTypeOf(context.user).toEqualTypeOf<User>()
    })
    expectTypeOf(project).toEqualTypeOf(combined)
  })

  it('requiresServiceAuth gives the calling service; projectKinds narrow the project', () => {
    const service: AppResolver = requiresServiceAuth((_source, _args, context) => {
      expectTypeOf(context.project.clientId).toEqualTypeOf<string>()
      expectTypeOf(context.project.tokenType).toEqualTypeOf<'service'>()
      return context.project.serviceName
    })
    const tokens: AppResolver = requiresProjectAuth(
      (_source, _args, context) => {
        expectTypeOf(context.project.tokenType).toEqualTypeOf<'project' | 'platform'>()
        expectTypeOf(context.project.projectUuid).toEqualTypeOf<string>()
        return context.project.tenant
      },
      { projectKinds: ['project', 'platform'] },
    )
    expectTypeOf(service).toEqualTypeOf(tokens)
    // @ts-expect-error the service wrapper fixes the project kinds
    requiresServiceAuth(() => 1, { projectKinds: ['credentials'] })
    // @ts-expect-error not a project kind
    requiresProjectAuth(() => 1, { projectKinds: ['session'] })
  })

  it('the policy of a wrapper cannot set the mode', () => {
    // @ts-expect-error the mode comes from the wrapper's name
    requiresJwtAuth(() => 1, { mode: 'project' })
    // @ts-expect-error scopes are a list
    requiresJwtAuth(() => 1, { scopes: 'admin' })
  })
})

describe('Yoga plugin', () => {
  it('usePortcullis is a Yoga plugin', () => {
    type Plugins = NonNullable<Parameters<typeof createYoga>[0]['plugins']>
    expectTypeOf(usePortcullis).returns.toExtend<Plugins[number]>()
  })
})

describe('Pothos plugin', () => {
  const builder = new SchemaBuilder<{ Context: AppContext }>({ plugins: [PortcullisPlugin] })

  it('adds auth and scopes to field and type options, checked at compile time', () => {
    builder.queryType({
      auth: 'jwt',
      scopes: ['api'],
      fields: (t) => ({
        a: t.string({ auth: 'project', resolve: () => 'a' }),
        b: t.string({ auth: { mode: 'any', anyScopes: ['x', 'y'], optional: true }, resolve: () => 'b' }),
        c: t.string({ scopes: ['reports:read'], resolve: () => 'c' }),
        // @ts-expect-error not a mode
        d: t.string({ auth: 'session', resolve: () => 'd' }),
        // @ts-expect-error scopes are a list
        e: t.string({ scopes: 'admin', resolve: () => 'e' }),
      }),
    })
    builder.objectType(class Thing {}, { name: 'Thing', auth: 'combined', fields: () => ({}) })
  })

  it('plain t.field keeps the builder context: the user may be absent', () => {
    builder.queryField('plain', (t) =>
      t.string({
        auth: 'jwt',
        resolve: (_root, _args, context) => {
          expectTypeOf(context).toEqualTypeOf<AppContext>()
          // @ts-expect-error user is possibly undefined in a plain field
          return context.user.id
        },
      }),
    )
  })

  it('t.authenticatedField types the resolver context from its auth option', () => {
    builder.queryField('viewer', (t) =>
      t.authenticatedField({
        type: 'String',
        auth: 'jwt',
        resolve: (_root, _args, context) => {
          expectTypeOf(context.user).toEqualTypeOf<User>()
          expectTypeOf(context.requestId).toEqualTypeOf<string>()
          return context.user.id
        },
      }),
    )
    builder.queryField('maybeViewer', (t) =>
      t.authenticatedField({
        type: 'String',
        auth: { mode: 'jwt', optional: true },
        resolve: (_root, _args, context) => {
          expectTypeOf(context.user).toEqualTypeOf<User | undefined>()
          return context.user?.id ?? null
        },
      }),
    )
    // @ts-expect-error authenticatedField needs an auth option
    builder.queryField('noAuth', (t) => t.authenticatedField({ type: 'String', resolve: () => 'x' }))
  })

  it('ContextForAuth follows the option for project credentials', () => {
    expectTypeOf<ContextForAuth<'project'>['project']>().toEqualTypeOf<ProjectIdentity>()
    expectTypeOf<ContextForAuth<'service'>['project']>().toEqualTypeOf<ServicePrincipal>()
    expectTypeOf<
      ContextForAuth<{ mode: 'project'; projectKinds: ['credentials'] }>['project']['tokenType']
    >().toEqualTypeOf<'credentials'>()
    expectTypeOf<
      ContextForAuth<{ mode: 'project'; projectKinds: ['credentials'] }>['project']
    >().toExtend<ProjectPrincipal>()
    builder.queryField('caller', (t) =>
      t.authenticatedField({
        type: 'String',
        auth: 'service',
        resolve: (_root, _args, context) => context.project.clientId,
      }),
    )
  })

  it('ContextForAuth follows the option', () => {
    expectTypeOf<ContextForAuth<'combined'>['user']>().toEqualTypeOf<User>()
    expectTypeOf<ContextForAuth<{ mode: 'jwt'; scopes: ['a'] }>['user']>().toEqualTypeOf<User>()
    expectTypeOf<ContextForAuth<{ scopes: ['a'] }>['user']>().toEqualTypeOf<User>()
    expectTypeOf<ContextForAuth<{ optional: true }>['user']>().toEqualTypeOf<User | undefined>()
  })
})
