import 'reflect-metadata'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type CanActivate,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { createAuth } from '@portcullis/core'
import { Auth, CurrentUser, PortcullisModule, type User } from '@portcullis/nestjs'
import jwksRsa from 'jwks-rsa'
import { ExtractJwt, Strategy } from 'passport-jwt'
import type { BenchServer, ServerContext } from '../context.js'

async function serve(module: unknown, close: () => Promise<void> = async () => {}): Promise<BenchServer> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, { logger: false })
  app.set('trust proxy', 'loopback')
  app.set('etag', false)
  return {
    listen: async () => {
      await app.listen(0, '127.0.0.1')
      return ((app.getHttpServer() as Server).address() as AddressInfo).port
    },
    close: async () => {
      await app.close()
      await close()
    },
  }
}

export async function nestBare(): Promise<BenchServer> {
  @Controller()
  class MeController {
    @Get('me')
    me() {
      return { id: 'anonymous' }
    }
  }
  @Module({ controllers: [MeController] })
  class AppModule {}
  return serve(AppModule)
}

/**
 * What any authentication costs in Nest before it checks anything: a guard on the route (Nest then builds an
 * execution context and awaits its guard consumer per request) and a custom param decorator for the caller
 * (Nest's param pipeline), as the Portcullis and passport apps have. The guard allows all and reads nothing.
 */
export async function nestGuardOnly(): Promise<BenchServer> {
  @Injectable()
  class AllowAll implements CanActivate {
    canActivate(): boolean {
      return true
    }
  }
  const Caller = createParamDecorator(
    (_data: unknown, context: ExecutionContext) =>
      context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-forwarded-for'],
  )
  @Controller()
  class MeController {
    @Get('me')
    @UseGuards(AllowAll)
    me(@Caller() caller: unknown) {
      return { id: typeof caller === 'string' ? 'anonymous' : 'nobody' }
    }
  }
  @Module({ controllers: [MeController], providers: [AllowAll] })
  class AppModule {}
  return serve(AppModule)
}

export async function nestPortcullis(ctx: ServerContext): Promise<BenchServer> {
  const auth = createAuth({ audience: ctx.audience, issuers: [{ issuer: ctx.issuer, jwksUri: ctx.jwksUri }] })
  await auth.ready()
  for (const { jti, exp } of ctx.revokedJtis) await auth.revoke.token(jti, exp)
  @Controller()
  class MeController {
    @Get('me')
    @Auth('jwt')
    me(@CurrentUser() user: User) {
      return { id: user.subject }
    }
  }
  @Module({ imports: [PortcullisModule.forRoot(auth)], controllers: [MeController] })
  class AppModule {}
  return serve(AppModule)
}

export async function nestPassport(ctx: ServerContext): Promise<BenchServer> {
  const revoked = new Set(ctx.revokedJtis.map((r) => r.jti))
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: jwksRsa.passportJwtSecret({
          jwksUri: ctx.jwksUri,
          cache: true,
          rateLimit: true,
        }),
        issuer: ctx.issuer,
        audience: ctx.audience,
        algorithms: [ctx.alg],
      })
    }
    validate(payload: { sub: string; jti?: string }) {
      if (payload.jti !== undefined && revoked.has(payload.jti)) throw new UnauthorizedException()
      return { subject: payload.sub }
    }
  }
  @Controller()
  class MeController {
    @Get('me')
    @UseGuards(AuthGuard('jwt'))
    me() {
      return { id: 'user' }
    }
  }
  @Module({ imports: [PassportModule], controllers: [MeController], providers: [JwtStrategy] })
  class AppModule {}
  return serve(AppModule)
}
