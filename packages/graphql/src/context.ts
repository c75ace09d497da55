import type { AuthMode, AuthResult } from '@portcullis/core'

/**
 * What a successful authentication puts on the GraphQL context: every field of core's `AuthResult`
 * (`user`, `claims`, `token`, `issuer`, and `project` once core has project authentication).
 * Declare your context as `YogaInitialContext & PortcullisContext` to read them in resolvers.
 */
export type PortcullisContext = AuthResult

type Present<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> }

/** The identity a bearer token (JWT) always yields. */
export type JwtIdentity = Present<
  AuthResult,
  Extract<keyof AuthResult, 'user' | 'claims' | 'token' | 'issuer'>
>

/** The project a project credential yields; empty until core's `AuthResult` has a `project`. */
export type ProjectIdentity = Present<AuthResult, Extract<keyof AuthResult, 'project'>>

/**
 * The context a resolver sees once a guard of `Mode` has passed (and the policy is not `optional`):
 * `jwt` guarantees `user` and `claims`, `project` the project, `combined` both, `any` either.
 */
export type AuthenticatedContext<Mode extends AuthMode = 'jwt'> = PortcullisContext &
  (Mode extends 'jwt'
    ? JwtIdentity
    : Mode extends 'project'
      ? ProjectIdentity
      : Mode extends 'combined'
        ? JwtIdentity & ProjectIdentity
        : unknown)
