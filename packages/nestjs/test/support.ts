import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { Test } from '@nestjs/testing'
import { type Auth, type AuthOptions, createAuth, type PortcullisConfigInput } from '@portcullis/core'
import { startTestIssuer, type TestIssuer } from '@portcullis/testing'
import { afterEach } from 'vitest'

export const AUDIENCE = 'https://api.test'

const cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/** Runs `cleanup` after the test, before anything registered earlier (last in, first out). */
export function onCleanup(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup)
}

/** A real issuer on 127.0.0.1 (one ES256 key, quick to start), closed after the test. */
export async function issuerForTest(): Promise<TestIssuer> {
  const issuer = await startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] })
  onCleanup(() => issuer.close())
  return issuer
}

/** A core configuration trusting `issuer`. */
export function configFor(
  issuer: TestIssuer,
  extra: Partial<PortcullisConfigInput> = {},
): PortcullisConfigInput {
  return { audience: AUDIENCE, issuers: [{ issuer: issuer.url }], ...extra }
}

/** A real `Auth` trusting `issuer`, closed after the test. */
export function authFor(issuer: TestIssuer, options?: AuthOptions): Auth {
  const auth = createAuth(configFor(issuer), options)
  onCleanup(() => auth.close())
  return auth
}

export type Platform = 'express' | 'fastify'

export interface RunningApp {
  app: INestApplication
  /** `http://127.0.0.1:PORT` */
  url: string
  /** GET (or any method) on the app with an optional bearer token. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>
}

/** Boots a real Nest application on 127.0.0.1, port 0, closed after the test. */
export async function startApp(
  metadata: ModuleMetadata,
  options: {
    platform?: Platform
    logger?: LoggerService | false
    rawBody?: boolean
    /** Close it in your own afterAll instead of after this test (an app shared by a describe block). */
    shared?: boolean
  } = {},
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile()
  const appOptions = { logger: options.logger ?? false, rawBody: options.rawBody ?? false }
  const app =
    options.platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), appOptions)
      : moduleRef.createNestApplication(appOptions)
  if (options.shared !== true) onCleanup(() => app.close())
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    app,
    url,
    request: (path, { token, headers, ...init } = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: {
          ...(token && { authorization: `Bearer ${token}` }),
          ...(headers as Record<string, string>),
        },
      }),
  }
}

/** An `Auth` that forwards to a real one and records what the framework asks of it. */
export class RecordingAuth implements Auth {
  readonly policyCalls: unknown[] = []
  closeCalls = 0

  constructor(private readonly inner: Auth) {}

  get revoke(): Auth['revoke'] {
    return this.inner.revoke
  }
  get config(): Auth['config'] {
    return this.inner.config
  }
  authenticate(...args: Parameters<Auth['authenticate']>): ReturnType<Auth['authenticate']> {
    return this.inner.authenticate(...args)
  }
  authenticateNow(...args: Parameters<Auth['authenticateNow']>): ReturnType<Auth['authenticateNow']> {
    return this.inner.authenticateNow(...args)
  }
  authorize(...args: Parameters<Auth['authorize']>): ReturnType<Auth['authorize']> {
    this.inner.authorize(...args)
  }
  policy(...args: Parameters<Auth['policy']>): ReturnType<Auth['policy']> {
    this.policyCalls.push(args[0])
    return this.inner.policy(...args)
  }
  protectedResourceMetadata(): ReturnType<Auth['protectedResourceMetadata']> {
    return this.inner.protectedResourceMetadata()
  }
  ready(): Promise<void> {
    return this.inner.ready()
  }
  async close(): Promise<void> {
    this.closeCalls++
    await this.inner.close()
  }
}
