import { makeExecutableSchema } from '@graphql-tools/schema'
import { createRemoteJwksSigningKeyProvider, useJWT } from '@graphql-yoga/plugin-jwt'
import { createAuth } from '@portcullis/core'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  usePortcullis,
} from '@portcullis/graphql'
import { GraphQLError } from 'graphql'
import { createYoga, type Plugin } from 'graphql-yoga'
import { type BenchServer, type ServerContext, serveListener } from '../context.js'

const common = { logging: false, graphiql: false, landingPage: false, maskedErrors: true } as const

export async function yogaBare(): Promise<BenchServer> {
  const schema = makeExecutableSchema({
    typeDefs: 'type Query { me: String }',
    resolvers: { Query: { me: () => 'anonymous' } },
  })
  return serveListener(createYoga({ schema, ...common }))
}

export async function yogaPortcullis(ctx: ServerContext): Promise<BenchServer> {
  // Yoga hands core the socket's peer (the proxy, here the load generator), so core itself must be told to
  // believe that proxy's X-Forwarded-For: without it every client shares one address for failure limiting.
  const auth = createAuth({
    audience: ctx.audience,
    issuers: [{ issuer: ctx.issuer, jwksUri: ctx.jwksUri }],
    trustedProxies: ['127.0.0.1'],
  })
  await auth.ready()
  for (const { jti, exp } of ctx.revokedJtis) await auth.revoke.token(jti, exp)
  const schema = applyPortcullisDirectives(
    makeExecutableSchema({
      typeDefs: [portcullisDirectiveTypeDefs, 'type Query { me: String @jwtAuth }'],
      resolvers: {
        Query: { me: (_: unknown, __: unknown, context: PortcullisContext) => context.user?.subject },
      },
    }),
  )
  return serveListener(
    createYoga({ schema, plugins: [usePortcullis(auth, { partialResults: false })], ...common }),
    () => auth.close(),
  )
}

export async function yogaJwtPlugin(ctx: ServerContext): Promise<BenchServer> {
  const revoked = new Set(ctx.revokedJtis.map((r) => r.jti))
  const schema = makeExecutableSchema({
    typeDefs: 'type Query { me: String }',
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, context: { jwt?: { payload: { sub: string; jti?: string } } }) => {
          const payload = context.jwt?.payload
          if (payload?.jti !== undefined && revoked.has(payload.jti)) {
            throw new GraphQLError('token revoked', { extensions: { http: { status: 401 } } })
          }
          return payload?.sub
        },
      },
    },
  })
  const jwt = useJWT({
    signingKeyProviders: [
      createRemoteJwksSigningKeyProvider({ jwksUri: ctx.jwksUri, cache: true, rateLimit: true }),
    ],
    tokenVerification: { issuer: ctx.issuer, audience: ctx.audience, algorithms: [ctx.alg] },
    extendContext: true,
    reject: { missingToken: true, invalidToken: true },
  }) as Plugin
  return serveListener(createYoga({ schema, plugins: [jwt], ...common }))
}
