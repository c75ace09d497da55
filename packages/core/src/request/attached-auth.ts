import { IncomingMessage } from 'node:http'
import type { AuthResult } from '../auth.js'
import { requestProperty } from './node-request.js'

/**
 * What an adapter keeps about a request it authenticated, beside the request rather than on it. `auth` is what
 * `request.auth` shows (see `showAuth`); an adapter adds fields of its own and checks for them before it
 * trusts a record, since another adapter may have kept one for the same request.
 */
export interface RequestAuthRecord {
  auth?: AuthResult
}

const records = new WeakMap<object, RequestAuthRecord>()

/** The record an adapter kept for this request, if any. Hot path. */
export function requestAuthRecord(request: object): RequestAuthRecord | undefined {
  return records.get(request)
}

/** Keeps `record` for `request` (replacing any earlier one): `request.auth` shows its `auth` once shown. */
export function keepRequestAuthRecord(request: object, record: RequestAuthRecord): void {
  records.set(request, record)
}

/**
 * Makes `request.auth` show `record.auth` (kept with `keepRequestAuthRecord`) without adding a property to the
 * request, where it can.
 *
 * Why: Express and NestJS on Express change every request's prototype, and V8 then gives each request a hidden
 * class of its own. Adding a property to such an object builds a new hidden class and a new descriptor array
 * for it, ≈ 1 KB per request that the scavenger copies and promotes (measured in a served Express app:
 * `req.auth = result` raised what each request leaves for the GC from 9.0 to 9.9 KB; bench/FINDINGS.md §9).
 * So `auth` is an accessor on the framework's base request prototype (the one just above Node's
 * `IncomingMessage.prototype`, shared by every app of that framework), reading the record. Assigning
 * `request.auth` yourself still works: the setter defines an ordinary own property, which shadows the record
 * as before. Everywhere else (a request object of another kind, an own `auth` already there, another `auth`
 * accessor) `request.auth` is simply assigned. Hot path.
 */
export function showAuth(request: { auth?: AuthResult }, record: RequestAuthRecord): void {
  const auth = record.auth
  if (requestProperty(request, 'auth') === auth) return
  if (installAccessor(request) && request.auth === auth) return
  request.auth = auth
}

/** Base request prototypes that got the accessor, and prototypes that cannot have it. */
const installed = new WeakSet<object>()
const declined = new WeakSet<object>()

/** The `auth` accessor on the request's framework base prototype, once; false where it cannot go. */
function installAccessor(request: object): boolean {
  const own = Object.getPrototypeOf(request) as object | null
  if (own === null || declined.has(own)) return false
  const base = frameworkBase(own)
  if (base === undefined || (!installed.has(base) && 'auth' in base)) {
    declined.add(own)
    return false
  }
  if (!installed.has(base)) {
    Object.defineProperty(base, 'auth', {
      configurable: true,
      enumerable: false,
      get(this: object): AuthResult | undefined {
        return records.get(this)?.auth
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, 'auth', { value, writable: true, enumerable: true, configurable: true })
      },
    })
    installed.add(base)
  }
  return true
}

/**
 * The prototype just above `IncomingMessage.prototype` in the chain (Express's `request`), undefined when the
 * request is a plain Node request (its prototype is Node's own, shared by every server in the process) or no
 * Node request at all.
 */
function frameworkBase(prototype: object): object | undefined {
  let current: object | null = prototype
  while (current !== null && current !== IncomingMessage.prototype) {
    const parent = Object.getPrototypeOf(current) as object | null
    if (parent === IncomingMessage.prototype) return current
    current = parent
  }
  return undefined
}
