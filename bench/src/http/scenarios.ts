import type { BenchServer, ServerContext } from './context.js'

export type Framework = 'express' | 'nest' | 'yoga'

export interface Scenario {
  name: string
  framework: Framework
  /**
   * bare: no authentication at all (the baseline); portcullis: ours; peer: another library; reference: what the
   * framework's own machinery for authentication costs with no authentication in it (no target).
   */
  kind: 'bare' | 'portcullis' | 'portcullis-redis' | 'peer' | 'reference'
  /** Loaded in the server child only, so the suite process never imports a framework. */
  create: (ctx: ServerContext) => Promise<BenchServer>
  /** POST body for GraphQL; GET otherwise. */
  body?: string
}

const express = () => import('./servers/express-apps.js')
const nest = () => import('./servers/nest-apps.js')
const yoga = () => import('./servers/yoga-apps.js')
const GRAPHQL_BODY = JSON.stringify({ query: '{ me }' })

export const SCENARIOS: Scenario[] = [
  {
    name: 'Express (bare)',
    framework: 'express',
    kind: 'bare',
    create: async () => (await express()).expressBare(),
  },
  {
    name: 'Express + Portcullis jwtAuth',
    framework: 'express',
    kind: 'portcullis',
    create: async (ctx) => (await express()).expressPortcullis(ctx),
  },
  {
    name: 'Express + Portcullis jwtAuth (Redis)',
    framework: 'express',
    kind: 'portcullis-redis',
    create: async (ctx) => (await express()).expressPortcullis(ctx, true),
  },
  {
    name: 'Express + express-jwt/jwks-rsa',
    framework: 'express',
    kind: 'peer',
    create: async (ctx) => (await express()).expressJwt(ctx),
  },
  {
    name: 'Express + express-oauth2-jwt-bearer',
    framework: 'express',
    kind: 'peer',
    create: async (ctx) => (await express()).expressOauth2Bearer(ctx),
  },
  { name: 'NestJS (bare)', framework: 'nest', kind: 'bare', create: async () => (await nest()).nestBare() },
  {
    name: 'NestJS + a guard that allows all, and a param decorator (reference)',
    framework: 'nest',
    kind: 'reference',
    create: async () => (await nest()).nestGuardOnly(),
  },
  {
    name: 'NestJS + Portcullis @Auth',
    framework: 'nest',
    kind: 'portcullis',
    create: async (ctx) => (await nest()).nestPortcullis(ctx),
  },
  {
    name: 'NestJS + @nestjs/passport/passport-jwt',
    framework: 'nest',
    kind: 'peer',
    create: async (ctx) => (await nest()).nestPassport(ctx),
  },
  {
    name: 'Yoga (bare)',
    framework: 'yoga',
    kind: 'bare',
    body: GRAPHQL_BODY,
    create: async () => (await yoga()).yogaBare(),
  },
  {
    name: 'Yoga + Portcullis usePortcullis',
    framework: 'yoga',
    kind: 'portcullis',
    body: GRAPHQL_BODY,
    create: async (ctx) => (await yoga()).yogaPortcullis(ctx),
  },
  {
    name: 'Yoga + @graphql-yoga/plugin-jwt',
    framework: 'yoga',
    kind: 'peer',
    body: GRAPHQL_BODY,
    create: async (ctx) => (await yoga()).yogaJwtPlugin(ctx),
  },
]
