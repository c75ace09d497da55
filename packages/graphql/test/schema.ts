import { makeExecutableSchema } from '@graphql-tools/schema'
import type { GraphQLSchema } from 'graphql'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
} from '../src/index.js'

/** A schema-first API using the directives; resolvers read what the plugin put on the context. */
export function directiveSchema(extra: { onResolve?: (field: string) => void } = {}): GraphQLSchema {
  const seen = (field: string) => extra.onResolve?.(field)
  return applyPortcullisDirectives(
    makeExecutableSchema<PortcullisContext>({
      typeDefs: [
        portcullisDirectiveTypeDefs,
        /* GraphQL */ `
          type Query {
            hello: String
            whoAmI: String
            me: Me @jwtAuth
            secret: String @jwtAuth
            requiredSecret: String! @jwtAuth
            adminReport: String @jwtAuth(scopes: ["admin"])
            requiredAdminReport: String! @jwtAuth(scopes: ["admin"])
            items: [Item!]!
            broken: String @jwtAuth
          }
          type Me {
            id: String!
            subject: String!
            scopes: [String!]!
            hasToken: Boolean!
            issuer: String!
            jti: String
          }
          type Item {
            id: Int!
            secret: String @jwtAuth
          }
        `,
      ],
      resolvers: {
        Query: {
          hello: () => {
            seen('hello')
            return 'world'
          },
          whoAmI: (_source, _args, context) => {
            seen('whoAmI')
            return context.user?.id ?? 'anonymous'
          },
          me: (_source, _args, context) => ({
            id: context.user?.id,
            subject: context.user?.subject,
            scopes: context.user?.scopes,
            hasToken: typeof context.token === 'string',
            issuer: context.issuer,
            jti: context.claims?.jti,
          }),
          secret: () => 'the secret',
          requiredSecret: () => 'the secret',
          adminReport: () => 'the report',
          requiredAdminReport: () => 'the report',
          items: () => [1, 2, 3, 4, 5].map((id) => ({ id })),
          broken: () => {
            throw new Error('database unavailable')
          },
        },
        Item: { secret: (item: { id: number }) => `secret ${item.id}` },
      },
    }),
  )
}
