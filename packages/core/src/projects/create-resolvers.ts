import type { Logger } from '../logger.js'
import type { MercuryClient } from '../mercury/mercury-client.js'
import type { ProjectsConfig } from './config.js'
import { functionProjectResolver, type ResolveProjectFunction } from './function-resolver.js'
import { MercuryProjectResolver } from './mercury-resolver.js'
import { type HashReader, RedisHashProjectResolver } from './redis-hash-resolver.js'
import type { ProjectResolver } from './resolver.js'
import { StaticProjectResolver } from './static-resolver.js'

export interface ProjectResolverDependencies {
  /** For `mercury`. */
  mercury?: MercuryClient
  /** For `redis`: ioredis `hgetall`, unprefixed. */
  hashReader?: HashReader
  /** For `function`. */
  resolve?: ResolveProjectFunction
  logger?: Logger
}

/** Builds `projects.resolvers` in order. Throws `TypeError` naming what a listed resolver lacks. */
export function createProjectResolvers(
  config: ProjectsConfig,
  dependencies: ProjectResolverDependencies,
): ProjectResolver[] {
  return config.resolvers.map((name) => createResolver(name, config, dependencies))
}

function createResolver(
  name: ProjectsConfig['resolvers'][number],
  config: ProjectsConfig,
  dependencies: ProjectResolverDependencies,
): ProjectResolver {
  switch (name) {
    case 'static':
      return new StaticProjectResolver(config.static)
    case 'redis':
      if (!dependencies.hashReader) throw new TypeError('the redis project resolver needs Redis')
      return new RedisHashProjectResolver({
        reader: dependencies.hashReader,
        keyTemplate: config.redis.keyTemplate,
      })
    case 'mercury':
      if (!dependencies.mercury) throw new TypeError('the mercury project resolver needs mercury.baseUrl')
      return new MercuryProjectResolver({
        client: dependencies.mercury,
        ...(dependencies.logger && { logger: dependencies.logger }),
      })
    case 'function':
      if (!dependencies.resolve) throw new TypeError('the function project resolver needs a resolve function')
      return functionProjectResolver(dependencies.resolve)
  }
}
