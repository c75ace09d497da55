import SchemaBuilder from '@pothos/core'
import type { YogaInitialContext } from 'graphql-yoga'
import type { PortcullisContext } from '../src/index.js'
import PortcullisPlugin from '../src/pothos/index.js'
import type { TestEventSource } from './event-source.js'

export type Context = YogaInitialContext & PortcullisContext

/** A code-first API built with Pothos and the Portcullis plugin. */
export function pothosSchema(ticks: TestEventSource<number>) {
  const builder = new SchemaBuilder<{ Context: Context }>({ plugins: [PortcullisPlugin] })

  const Account = builder.objectRef<{ id: string; balance: number }>('Account')
  Account.implement({
    auth: 'jwt',
    fields: (t) => ({
      id: t.exposeString('id'),
      balance: t.exposeInt('balance', { scopes: ['billing'] }),
    }),
  })

  builder.queryType({
    fields: (t) => ({
      hello: t.string({ resolve: () => 'world' }),
      me: t.authenticatedField({
        type: 'String',
        auth: 'jwt',
        resolve: (_root, _args, context) => context.user.id,
      }),
      report: t.string({ scopes: ['reports:read'], resolve: () => 'report' }),
      anyReport: t.string({
        auth: { mode: 'jwt', anyScopes: ['reports:read', 'admin'] },
        resolve: () => 'any report',
      }),
      greeting: t.string({
        auth: { optional: true },
        resolve: (_root, _args, context) => `hello ${context.user?.id ?? 'stranger'}`,
      }),
      account: t.field({ type: Account, resolve: () => ({ id: 'a-1', balance: 42 }) }),
      accounts: t.field({
        type: [Account],
        resolve: () => [1, 2, 3].map((n) => ({ id: `a-${n}`, balance: n })),
      }),
    }),
  })

  builder.mutationType({
    auth: 'jwt',
    fields: (t) => ({
      rename: t.string({
        nullable: false,
        args: { name: t.arg.string({ required: true }) },
        resolve: (_root, args) => args.name,
      }),
    }),
  })

  builder.subscriptionType({
    fields: (t) => ({
      ticks: t.int({
        auth: 'jwt',
        subscribe: () => ticks.subscribe(),
        resolve: (n: number) => n,
      }),
    }),
  })

  return builder.toSchema()
}
