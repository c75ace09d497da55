import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  type AuthResult,
  keepRequestAuthRecord,
  type RequestAuthRecord,
  requestAuthRecord,
  showAuth,
} from '../src/index.js'

type Req = { auth?: AuthResult }

/**
 * A framework's request chain as Express builds it: its base prototype over Node's `IncomingMessage.prototype`,
 * an app's prototype over that, and a request whose prototype is set to the app's. A fresh base per test, since
 * the accessor is installed on it.
 */
function framework() {
  const base = Object.create(IncomingMessage.prototype) as object
  const app = () => Object.create(base) as object
  const request = (appPrototype: object): Req => {
    const req = new IncomingMessage(new Socket())
    Object.setPrototypeOf(req, appPrototype)
    return req as Req
  }
  return { base, app, request }
}

function attach(req: object, result: AuthResult): RequestAuthRecord {
  const record: RequestAuthRecord = { auth: result }
  keepRequestAuthRecord(req, record)
  showAuth(req, record)
  return record
}

const ada: AuthResult = { user: { subject: 'ada' } as AuthResult['user'] }
const bob: AuthResult = { user: { subject: 'bob' } as AuthResult['user'] }

describe('showAuth: request.auth without a property on the request', () => {
  it('shows the record through an accessor on the framework base prototype, adding nothing to the request', () => {
    const { base, app, request } = framework()
    const req = request(app())

    attach(req, ada)

    expect(req.auth).toBe(ada)
    expect(Object.hasOwn(req, 'auth')).toBe(false)
    expect(Object.keys(req)).not.toContain('auth')
    expect(Object.getOwnPropertyDescriptor(base, 'auth')).toMatchObject({ enumerable: false })
    expect(requestAuthRecord(req)?.auth).toBe(ada)
  })

  it('keeps requests apart, and a request nothing was kept for reads undefined', () => {
    const { app, request } = framework()
    const proto = app()
    const first = request(proto)
    const second = request(proto)
    const unguarded = request(proto)

    attach(first, ada)
    attach(second, bob)

    expect([first.auth, second.auth, unguarded.auth]).toEqual([ada, bob, undefined])
  })

  it('shows a record changed after it was kept (a guard that settles later)', () => {
    const { app, request } = framework()
    const req = request(app())
    const record: RequestAuthRecord = {}
    keepRequestAuthRecord(req, record)

    record.auth = ada
    showAuth(req, record)

    expect(req.auth).toBe(ada)
  })

  it('still shows it once the request moves to another app of the framework (a mounted sub-app hands back)', () => {
    const { app, request } = framework()
    const parent = app()
    const subApp = app()
    const req = request(subApp)

    attach(req, ada)
    Object.setPrototypeOf(req, parent)

    expect(req.auth).toBe(ada)
  })

  it('lets the app assign request.auth as an ordinary own property, which shadows the record until deleted', () => {
    const { app, request } = framework()
    const req = request(app())
    attach(req, ada)

    req.auth = bob
    expect(req.auth).toBe(bob)
    expect(Object.getOwnPropertyDescriptor(req, 'auth')).toEqual({
      value: bob,
      writable: true,
      enumerable: true,
      configurable: true,
    })

    delete req.auth
    expect(req.auth).toBe(ada)
  })

  it('assigns over an own auth another middleware set before the guard', () => {
    const { app, request } = framework()
    const req = request(app())
    req.auth = bob

    attach(req, ada)

    expect(req.auth).toBe(ada)
    expect(Object.hasOwn(req, 'auth')).toBe(true)
  })

  it("leaves Node's own IncomingMessage prototype alone: a plain Node request gets an own property", () => {
    const req = new IncomingMessage(new Socket()) as Req

    attach(req, ada)

    expect(req.auth).toBe(ada)
    expect(Object.hasOwn(req, 'auth')).toBe(true)
    expect('auth' in IncomingMessage.prototype).toBe(false)
  })

  it('leaves an auth accessor someone else defined on the base alone', () => {
    const { base, app, request } = framework()
    const theirs = { configurable: true, enumerable: false, writable: true, value: undefined }
    Object.defineProperty(base, 'auth', theirs)
    const req = request(app())

    attach(req, ada)

    expect(req.auth).toBe(ada)
    expect(Object.hasOwn(req, 'auth')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(base, 'auth')).toEqual(theirs)
  })

  it('assigns on objects that are no Node request (Fastify request objects, test doubles)', () => {
    const plain: Req = {}
    const classy = new (class FastifyLikeRequest {})() as Req

    attach(plain, ada)
    attach(classy, bob)

    expect([plain.auth, classy.auth]).toEqual([ada, bob])
    expect([Object.hasOwn(plain, 'auth'), Object.hasOwn(classy, 'auth')]).toEqual([true, true])
  })
})
