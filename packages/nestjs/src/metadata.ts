import { SetMetadata } from '@nestjs/common'
import type { AuthPolicy as CoreAuthPolicy } from '@portcullis/core'

export const PUBLIC_METADATA = 'portcullis:public'
export const POLICY_METADATA = 'portcullis:policy'
export const SCOPES_METADATA = 'portcullis:scopes'
export const ANY_SCOPES_METADATA = 'portcullis:any-scopes'

/** What `@AuthPolicy` and `@Auth` record on a class or handler: a core policy, all fields optional. */
export type RoutePolicy = CoreAuthPolicy

/** Opts a controller or handler out of every Portcullis guard, global ones included. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_METADATA, true)
}

/** Every one of these scopes is required. Class and handler scopes add up: a handler cannot drop a class's. */
export function Scopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return SetMetadata(SCOPES_METADATA, Object.freeze(scopes))
}

/** At least one of these scopes is required. A handler's list replaces its class's. */
export function AnyScopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return SetMetadata(ANY_SCOPES_METADATA, Object.freeze(scopes))
}

/**
 * The route's whole policy (`mode`, `scopes`, `anyScopes`, `optional`, `issuers`). A handler's fields override
 * its class's one by one; `scopes` add up. A `mode` here overrides the mode of the guard that reads it.
 */
export function AuthPolicy(policy: RoutePolicy): MethodDecorator & ClassDecorator {
  return SetMetadata(POLICY_METADATA, Object.freeze({ ...policy }))
}
