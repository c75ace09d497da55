import type { IRouter, RequestHandler } from 'express'

/** The verbs `mountController` routes accept (`ALL` is `router.all`). */
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ALL'

/** Names of the controller's methods. */
export type HandlerName<C> = {
  [K in keyof C]: C[K] extends (...args: never[]) => unknown ? K : never
}[keyof C]

/** `'GET /me': 'me'`: a verb and an Express path, mapped to the controller method that handles it. */
export type RouteTable<C> = { readonly [route: `${HttpVerb} /${string}`]: HandlerName<C> }

const VERBS: ReadonlySet<string> = new Set<HttpVerb>([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'ALL',
])

/**
 * Registers controller methods on a router (or app), each bound to `controller` so `this` works inside.
 * Decorated methods keep their guards: binding calls the same guarded function.
 */
export function mountController<R extends IRouter, C extends object>(
  router: R,
  controller: C,
  routes: RouteTable<C>,
): R {
  for (const [route, name] of Object.entries(routes) as [string, HandlerName<C>][]) {
    const space = route.indexOf(' ')
    const verb = route.slice(0, space)
    const path = route.slice(space + 1)
    const method = controller[name]
    if (space < 0 || !VERBS.has(verb) || !path.startsWith('/')) {
      throw new TypeError(`mountController(): "${route}" is not "<VERB> /path"`)
    }
    if (typeof method !== 'function') {
      throw new TypeError(`mountController(): ${String(name)} is not a method of the controller`)
    }
    const register = router[verb.toLowerCase() as Lowercase<HttpVerb>] as (
      this: R,
      path: string,
      handler: RequestHandler,
    ) => unknown
    register.call(router, path, (method as Function).bind(controller) as RequestHandler)
  }
  return router
}
