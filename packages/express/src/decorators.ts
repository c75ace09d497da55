import type { AuthPolicy, CompiledPolicy } from '@portcullis/core'
import type { NextFunction, Request, Response } from 'express'
import { asksOnlyForScopes, type DecoratorSettings, effectivePolicy, emptySettings } from './route-policy.js'

/** A method Express can call as a route handler: `(req, res)` or `(req, res, next)`. */
export type HandlerMethod = (req: never, res: never, next: never) => unknown

/**
 * A Portcullis route decorator. Standard (TC39, TypeScript 5) decorators by default; the same function also
 * works under `experimentalDecorators`. On a method it wraps the method; on a class it sets the default for
 * every method declared in the class body.
 */
export interface AuthDecorator {
  <M extends HandlerMethod>(method: M, context: ClassMethodDecoratorContext): M
  <C extends abstract new (...args: never[]) => unknown>(target: C, context: ClassDecoratorContext<C>): void
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor
  (target: Function): void
}

/** What the decorators need from the `ExpressAuth` that made them. */
export interface DecoratorOwner {
  compile(policy: AuthPolicy): CompiledPolicy
  /**
   * Authenticates under `policy`, then calls `proceed`. `scopesOnly`: the method named no mode, so an earlier
   * guard's result is checked instead when there is one (as `requireScopes` does).
   */
  run(
    policy: CompiledPolicy,
    scopesOnly: boolean,
    req: Request,
    res: Response,
    next: NextFunction,
    proceed: () => unknown,
  ): unknown
}

interface MethodRecord {
  readonly owner: DecoratorOwner
  /** `summary()`, or `ReportController.summary()` once a class decorator has seen it: names it in errors. */
  where: string
  readonly settings: DecoratorSettings
  klass: DecoratorSettings | undefined
  /** Undefined only for a `@Public()` method, which is never wrapped. */
  policy: CompiledPolicy | undefined
  /** No mode decorator on the method or its class: only scopes were asked for. */
  scopesOnly: boolean
}

interface ClassRecord {
  readonly owner: DecoratorOwner
  readonly settings: DecoratorSettings
}

// Keyed by the function that ends up on the class (the wrapper, or a @Public method itself), so a second
// decorator on the same method, and a class decorator applied after the methods', find what came before.
const methodRecords = new WeakMap<Function, MethodRecord>()
const classRecords = new WeakMap<Function, ClassRecord>()

type Apply = (settings: DecoratorSettings, where: string) => void

/** Builds one decorator: `label` names it in errors, `apply` records what it asks for. */
export function createDecorator(owner: DecoratorOwner, label: string, apply: Apply): AuthDecorator {
  function decorator(...args: unknown[]): unknown {
    const [target, context, descriptor] = args
    if (isStandardContext(context)) {
      if (context.kind === 'class') return decorateClass(owner, target as Function, label, apply)
      if (context.kind === 'method') {
        return decorateMethod(owner, target as Function, `${String(context.name)}()`, label, apply)
      }
      throw new TypeError(
        `${label} decorates methods and classes, not ${context.kind}s (${String(context.name)})`,
      )
    }
    if (args.length === 1 && typeof target === 'function') return decorateClass(owner, target, label, apply)
    if (isMethodDescriptor(descriptor)) {
      descriptor.value = decorateMethod(owner, descriptor.value, `${String(context)}()`, label, apply)
      return descriptor
    }
    throw new TypeError(`${label} decorates methods and classes only`)
  }
  return decorator as AuthDecorator
}

function decorateMethod(
  owner: DecoratorOwner,
  method: Function,
  where: string,
  label: string,
  apply: Apply,
): Function {
  const existing = methodRecords.get(method)
  if (existing) {
    assertSameOwner(existing.owner, owner, where)
    // Already wrapped by another decorator (a @Public method cannot take more: that would contradict).
    apply(existing.settings, `${label} on ${where}`)
    compile(existing)
    return method
  }
  const record: MethodRecord = {
    owner,
    where,
    settings: emptySettings(),
    klass: undefined,
    policy: undefined,
    scopesOnly: false,
  }
  apply(record.settings, `${label} on ${where}`)
  compile(record)
  if (record.policy === undefined) {
    // @Public(): the method stays exactly as written, only remembered so a class default skips it.
    methodRecords.set(method, record)
    return method
  }
  return wrap(method, record)
}

function decorateClass(owner: DecoratorOwner, klass: Function, label: string, apply: Apply): undefined {
  let record = classRecords.get(klass)
  if (record) assertSameOwner(record.owner, owner, `${label} on ${klass.name}`)
  else {
    record = { owner, settings: emptySettings() }
    classRecords.set(klass, record)
  }
  apply(record.settings, `${label} on ${klass.name}`)
  // Method decorators ran before this one: update the methods they wrapped, and wrap the others
  // when the class default asks for authentication.
  const prototype = klass.prototype as object
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue
    const method = Object.getOwnPropertyDescriptor(prototype, key)?.value
    if (typeof method !== 'function') continue
    const where = `${klass.name}.${String(key)}()`
    const existing = methodRecords.get(method)
    if (existing) {
      // Wrapped by a method decorator, or left alone by @Public(): either way it now sees the class default.
      assertSameOwner(existing.owner, owner, where)
      existing.where = where
      existing.klass = record.settings
      compile(existing)
      continue
    }
    const fresh: MethodRecord = {
      owner,
      where,
      settings: emptySettings(),
      klass: record.settings,
      policy: undefined,
      scopesOnly: false,
    }
    compile(fresh)
    if (fresh.policy !== undefined) Object.defineProperty(prototype, key, { value: wrap(method, fresh) })
  }
  return undefined
}

/** Resolves the record's policy with core now, at class definition, so a bad policy fails at boot. */
function compile(record: MethodRecord): void {
  const policy = effectivePolicy(record.settings, record.klass)
  record.policy = policy && record.owner.compile(policy)
  record.scopesOnly = asksOnlyForScopes(record.settings, record.klass)
}

/**
 * The guarded handler: authentication first, then the original method with `this` and the arguments as
 * Express passed them. It stays a plain `(req, res, next)` function, usable anywhere Express takes a handler.
 */
function wrap(method: Function, record: MethodRecord): Function {
  if (method.length >= 4) {
    throw new TypeError(`${record.where}: a guarded method cannot be an error handler (err, req, res, next)`)
  }
  const guarded = function (this: unknown, req: Request, res: Response, next: NextFunction): unknown {
    if (typeof next !== 'function') {
      throw new TypeError(`${record.where} is guarded by Portcullis and runs only as an Express handler`)
    }
    return record.owner.run(record.policy as CompiledPolicy, record.scopesOnly, req, res, next, () =>
      method.call(this, req, res, next),
    )
  }
  Object.defineProperty(guarded, 'name', { value: method.name })
  methodRecords.set(guarded, record)
  return guarded
}

function assertSameOwner(existing: DecoratorOwner, owner: DecoratorOwner, where: string): void {
  if (existing !== owner) {
    throw new TypeError(`${where}: decorators from two different portcullis() instances on one class`)
  }
}

function isStandardContext(value: unknown): value is { kind: string; name: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
}

function isMethodDescriptor(value: unknown): value is PropertyDescriptor & { value: Function } {
  return (
    typeof value === 'object' && value !== null && typeof (value as PropertyDescriptor).value === 'function'
  )
}
