export type { AuthDecorator, HandlerMethod } from './decorators.js'
export {
  createExpressAuth,
  type ExpressAuth,
  type ExpressAuthOptions,
  type GuardPolicy,
  portcullis,
} from './express-auth.js'
export type { ErrorHandling } from './guard-request.js'
export { type HandlerName, type HttpVerb, mountController, type RouteTable } from './mount-controller.js'
export type { RequestAuth } from './request-auth.js'
export { sendAuthError } from './send-auth-error.js'
