import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { requestProperty } from '../src/index.js'

describe('requestProperty (an adapter reading a framework request)', () => {
  it('reads what an ordinary property read reads: own fields, inherited ones and getters', () => {
    const request = new IncomingMessage(new Socket())
    request.rawHeaders = ['Authorization', 'Bearer a.b.c', 'X-Trace', '1']
    // What Express does to every request: a prototype of the app's in front of Node's.
    const appRequest = Object.create(IncomingMessage.prototype, { app: { value: 'the app' } }) as object
    Object.setPrototypeOf(request, appRequest)

    expect(requestProperty(request, 'rawHeaders')).toBe(request.rawHeaders)
    expect(requestProperty(request, 'app')).toBe('the app')
    // Node's `headers` is a getter on IncomingMessage.prototype, which builds the object on the first read.
    const headers = requestProperty(request, 'headers')
    expect(headers).toBeTypeOf('object')
    expect(headers).toBe(request.headers)
    expect(requestProperty(request, 'missing')).toBeUndefined()
  })
})
