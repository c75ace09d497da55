import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type Auth, createAuth } from '@portcullis/core'
import { demoAuthConfig, supportsProjectMode } from './apis/auth-config.js'
import { createExpressApi } from './apis/express-api.js'
import { createGraphqlHandler } from './apis/graphql-api.js'
import { createNestApi } from './apis/nest-api.js'
import type { DemoConfig } from './config.js'
import { demoClaimFunctions } from './demo-claim-functions.js'
import {
  DEMO_API_KEY,
  DEMO_PROJECT,
  DEMO_USERS,
  OTHER_PROJECT,
  SLOW_CRM_API_KEY,
} from './demo-credentials.js'
import { createIssuer } from './issuer/issuer.js'
import { SigningKeys } from './issuer/signing-keys.js'
import { closeServer, listen } from './listen.js'
import type { DemoManifest } from './manifest.js'

export interface RunningDemo {
  manifest: DemoManifest
  auth: Auth
  close(): Promise<void>
}

const DEFAULT_ADMIN_KEY = 'demo-admin-key'

/**
 * Starts the whole demo in this process: the issuer, then the Express, NestJS and GraphQL APIs, all sharing
 * one `Auth`, so a revocation written by the issuer is seen by every API at once (and, with `REDIS_URL`, by
 * every other process sharing that Redis).
 */
export async function startDemo(config: DemoConfig): Promise<RunningDemo> {
  const { host } = config
  // The issuer's URL is its identity (`iss`), so it listens before anything is built around it.
  const issuerServer = createServer()
  const issuerPort = await listen(issuerServer, config.ports.issuer, host, 'issuer')
  const issuerUrl = `http://${host}:${issuerPort}`
  const servers: Server[] = [issuerServer]
  let auth: Auth | undefined
  let closeIssuer = () => {}
  let closeNest = async () => {}
  let rotation: NodeJS.Timeout | undefined
  const close = async () => {
    clearInterval(rotation)
    closeIssuer()
    await closeNest()
    await Promise.all(servers.map(closeServer))
    await auth?.close()
  }

  try {
    const keys = await SigningKeys.create({ maxTokenLifetimeSec: config.accessTokenTtlSec })
    auth = createAuth(
      demoAuthConfig({
        issuerUrl,
        audience: config.audience,
        signingSecret: config.signingSecret,
        serviceId: config.serviceId,
        redisUrl: config.redisUrl,
      }),
    )
    const projectMode = supportsProjectMode(auth)
    let manifest: DemoManifest | undefined
    const issuer = await createIssuer({
      url: issuerUrl,
      audience: config.audience,
      signingSecret: config.signingSecret,
      adminKey: config.adminKey,
      accessTokenTtlSec: config.accessTokenTtlSec,
      refreshTokenTtlSec: config.refreshTokenTtlSec,
      auth,
      keys,
      dataDir: config.dataDir,
      claimFunctions: demoClaimFunctions,
      staticDir: fileURLToPath(new URL('./playground/', import.meta.url)),
      manifest: () => manifest,
    })
    closeIssuer = issuer.close
    issuerServer.on('request', issuer.app)

    const allowedOrigins = new Set([issuerUrl, `http://localhost:${issuerPort}`])
    const apiOptions = { auth, projectMode, allowedOrigins }
    const expressServer = createServer(createExpressApi(apiOptions))
    const graphqlServer = createServer(createGraphqlHandler(apiOptions))
    servers.push(expressServer, graphqlServer)
    const nest = await createNestApi(apiOptions)
    closeNest = () => nest.close()
    const [expressPort, graphqlPort] = await Promise.all([
      listen(expressServer, config.ports.express, host, 'Express API'),
      listen(graphqlServer, config.ports.graphql, host, 'GraphQL API'),
      nest.listen(config.ports.nest, host),
    ])
    const nestPort = (nest.getHttpServer().address() as AddressInfo).port

    manifest = {
      issuer: issuerUrl,
      playground: `${issuerUrl}/`,
      apis: [
        {
          name: 'express',
          label: 'Express (middleware + decorators)',
          kind: 'rest',
          url: `http://${host}:${expressPort}`,
        },
        { name: 'nestjs', label: 'NestJS (guards)', kind: 'rest', url: `http://${host}:${nestPort}` },
        {
          name: 'graphql-pothos',
          label: 'GraphQL Yoga + Pothos plugin',
          kind: 'graphql',
          url: `http://${host}:${graphqlPort}/graphql`,
        },
        {
          name: 'graphql-sdl',
          label: 'GraphQL Yoga + SDL directives',
          kind: 'graphql',
          url: `http://${host}:${graphqlPort}/graphql-sdl`,
        },
      ],
      projectMode,
      cache: config.redisUrl ? 'redis' : 'in-process',
      serviceId: config.serviceId,
      users: DEMO_USERS.map((user) => ({ ...user })),
      project: { ...DEMO_PROJECT },
      otherProject: { ...OTHER_PROJECT },
      apiKey: DEMO_API_KEY,
      slowCrmApiKey: SLOW_CRM_API_KEY,
      ...(config.adminKey === DEFAULT_ADMIN_KEY && { adminKey: DEFAULT_ADMIN_KEY }),
    }
    // Fetch the issuer's discovery document and keys now rather than on the first request.
    await auth.ready()
    if (config.keyRotationSec > 0) {
      rotation = setInterval(() => void keys.rotate().catch(() => {}), config.keyRotationSec * 1000)
      rotation.unref()
    }
    return { manifest, auth, close }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
}
