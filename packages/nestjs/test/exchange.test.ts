import { Controller, Get, Req } from '@nestjs/common'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { describe, expect, it } from 'vitest'
import { type RequestLike, toAuthInput } from '../src/exchange.js'
import { type Platform, startApp } from './support.js'

@Controller('p')
class ProtocolController {
  @Get()
  both(@Req() request: RequestLike) {
    return { ours: toAuthInput(request).protocol, native: request.protocol }
  }
}

const FORWARDED: Record<string, string>[] = [
  {},
  { 'x-forwarded-proto': 'https' },
  { 'x-forwarded-proto': 'http' },
  { 'x-forwarded-proto': ' https , http' },
  { 'x-forwarded-proto': '' },
]

describe.each<Platform>(['express', 'fastify'])('the protocol core is given on %s', (platform) => {
  it('is what the platform says, for every trust proxy setting (Express) and forwarded value', async () => {
    const server = await startApp({ controllers: [ProtocolController] }, { platform })
    // Express's trust setting can change at run time; the per-connection verdict must follow it.
    const settings: unknown[] =
      platform === 'express' ? [false, true, 'loopback', '10.0.0.0/8', 1] : [undefined]
    const seen = new Set<string>()
    for (const setting of settings) {
      if (setting !== undefined) (server.app as NestExpressApplication).set('trust proxy', setting)
      for (const headers of FORWARDED) {
        const body = (await (await server.request('/p', { headers })).json()) as {
          ours: string
          native: string
        }
        expect(body.ours).toBe(body.native)
        seen.add(body.native)
      }
    }
    expect([...seen]).toContain('http')
    if (platform === 'express') expect([...seen]).toContain('https')
  })
})
