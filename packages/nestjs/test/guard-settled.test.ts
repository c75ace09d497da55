import { Controller, type ExecutionContext, Get, Injectable, UseGuards } from '@nestjs/common'
import { describe, expect, it } from 'vitest'
import { CurrentUser, JwtAuthGuard, PortcullisModule, Scopes, type User } from '../src/index.js'
import { configFor, issuerForTest, startApp } from './support.js'

/** What each `canActivate` handed Nest: `true` as a plain value, or a promise. */
const answers: string[] = []

@Injectable()
class ObservedGuard extends JwtAuthGuard {
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const answer = super.canActivate(context)
    answers.push(answer instanceof Promise ? 'promise' : String(answer))
    return answer
  }
}

@Controller('me')
@UseGuards(ObservedGuard)
class MeController {
  @Get()
  me(@CurrentUser() user: User) {
    return { user: user.subject }
  }

  @Get('admin')
  @UseGuards(ObservedGuard)
  @Scopes('admin')
  admin(@CurrentUser() user: User) {
    return { user: user.subject }
  }
}

describe('guards on a settled authentication', () => {
  it('answer true synchronously when core needed nothing awaited, and a promise for every refusal', async () => {
    const issuer = await issuerForTest()
    const server = await startApp({
      imports: [PortcullisModule.forRoot(configFor(issuer))],
      controllers: [MeController],
      providers: [ObservedGuard],
    })
    const token = await issuer.sign({ sub: 'ada', scope: 'read' })
    answers.length = 0
    // The first request may fetch the key; from then on the key is held and the token cached.
    expect((await server.request('/me', { token })).status).toBe(200)
    answers.length = 0
    const again = await server.request('/me', { token })
    expect(await again.json()).toEqual({ user: 'ada' })
    expect(answers).toEqual(['true'])

    answers.length = 0
    const missing = await server.request('/me')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect(answers).toEqual(['promise'])

    // A refusal for want of a scope is a promise too, and the method's guard never runs.
    answers.length = 0
    const forbidden = await server.request('/me/admin', { token })
    expect(forbidden.status).toBe(403)
    expect(answers).toEqual(['promise'])
    // Class guard and method guard: the first authenticates at once (a new token, its key held), the second
    // reuses that settled result.
    const admin = await issuer.sign({ sub: 'root', scope: 'admin' })
    answers.length = 0
    const allowed = await server.request('/me/admin', { token: admin })
    expect(await allowed.json()).toEqual({ user: 'root' })
    expect(answers).toEqual(['true', 'true'])
  })
})
