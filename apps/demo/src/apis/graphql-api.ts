import type { IncomingMessage, ServerResponse } from 'node:http'
import { usePortcullis } from '@portcullis/graphql'
import { createYoga } from 'graphql-yoga'
import type { ApiOptions } from './api-options.js'
import { applyCors } from './cors.js'
import { buildPothosSchema } from './graphql-pothos-schema.js'
import { buildSdlSchema } from './graphql-sdl-schema.js'

/** Two Yoga endpoints on one server: `/graphql` (Pothos + plugin) and `/graphql-sdl` (SDL directives). */
export function createGraphqlHandler({
  auth,
  projectMode,
  allowedOrigins,
}: ApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  // GraphiQL loads its assets from a CDN; the demo stays offline, and the playground page covers it.
  const pothos = createYoga({
    schema: buildPothosSchema(projectMode),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    cors: false,
    landingPage: false,
    plugins: [usePortcullis(auth)],
  })
  const sdl = createYoga({
    schema: buildSdlSchema(projectMode),
    graphqlEndpoint: '/graphql-sdl',
    graphiql: false,
    cors: false,
    landingPage: false,
    plugins: [usePortcullis(auth)],
  })
  return (req, res) => {
    if (applyCors(allowedOrigins, req, res)) return
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/graphql') {
      res.setHeader('x-demo-api', 'graphql-pothos')
      return void pothos(req, res)
    }
    if (path === '/graphql-sdl') {
      res.setHeader('x-demo-api', 'graphql-sdl')
      return void sdl(req, res)
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}')
  }
}
