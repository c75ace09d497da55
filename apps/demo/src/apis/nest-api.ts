import 'reflect-metadata'
import { Controller, Get, type INestApplication, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { User } from '@portcullis/core'
import { Auth, AuthResult, CurrentUser, PortcullisModule, Public } from '@portcullis/nestjs'
import type { ApiOptions } from './api-options.js'
import { corsMiddleware } from './cors.js'
import { profileOf, projectDataOf, projectOf, reportsFor, secureResourceFor } from './domain.js'

/** The domain on NestJS: `PortcullisModule.forRoot(auth)` and `@Auth(mode, policy)` guards. */
export async function createNestApi({
  auth,
  projectMode,
  allowedOrigins,
}: ApiOptions): Promise<INestApplication> {
  @Controller()
  class ProfileController {
    @Get('health')
    @Public()
    health() {
      return { api: 'nestjs', ok: true }
    }

    @Get('profile')
    @Auth('jwt', { scopes: ['profile:read'] })
    profile(@CurrentUser() user: User) {
      return { api: 'nestjs', profile: profileOf(user) }
    }

    @Get('reports')
    @Auth('jwt', { scopes: ['reports:read'] })
    reports(@CurrentUser() user: User) {
      return { api: 'nestjs', reports: reportsFor(user) }
    }
  }

  // Defined only when core can serve it: a project guard on a core without projects fails start-up.
  @Controller()
  class ProjectController {
    @Get('project')
    @Auth('project')
    project(@AuthResult() result: Parameters<typeof projectOf>[0]) {
      return { api: 'nestjs', ...projectDataOf(projectOf(result)!) }
    }

    @Get('secure')
    @Auth('combined', { scopes: ['secure:read'] })
    secure(@AuthResult() result: Parameters<typeof projectOf>[0]) {
      return { api: 'nestjs', secure: secureResourceFor(result!.user!, projectOf(result)!) }
    }
  }

  @Module({
    imports: [PortcullisModule.forRoot(auth, { closeOnShutdown: false })],
    controllers: projectMode ? [ProfileController, ProjectController] : [ProfileController],
  })
  class DemoApiModule {}

  const app = await NestFactory.create(DemoApiModule, { logger: ['error', 'warn'] })
  app.use(corsMiddleware(allowedOrigins))
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('x-demo-api', 'nestjs')
    next()
  })
  return app
}
