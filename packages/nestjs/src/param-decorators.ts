import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import { type AuthResult as CoreAuthResult, requestProperty } from '@portcullis/core'
import { exchangeOf } from './exchange.js'

/** The result a Portcullis guard attached to this request, if any. Hot path: a slow read of the request, made cheap. */
function resultOf(context: ExecutionContext): CoreAuthResult | undefined {
  const exchange = exchangeOf(context)
  return exchange && (requestProperty(exchange.request, 'auth') as CoreAuthResult | undefined)
}

/** The authenticated `User` (undefined on an optional route reached anonymously). `@CurrentUser('email')` picks a field. */
export const CurrentUser = createParamDecorator((field: string | undefined, context: ExecutionContext) => {
  const user = resultOf(context)?.user
  return field === undefined ? user : (user as Record<string, unknown> | undefined)?.[field]
})

/**
 * The authenticated project, a `ProjectIdentity` (modes `project`, `combined`, `any`): branch on its
 * `tokenType`. Undefined when the request carried no project credential. `@CurrentProject('projectUuid')`
 * picks a field.
 */
export const CurrentProject = createParamDecorator((field: string | undefined, context: ExecutionContext) => {
  const project = resultOf(context)?.project
  return field === undefined ? project : (project as Record<string, unknown> | undefined)?.[field]
})

/** The verified token's claims; `@Claims('sub')` picks one claim. */
export const Claims = createParamDecorator((name: string | undefined, context: ExecutionContext) => {
  const claims = resultOf(context)?.claims
  return name === undefined ? claims : claims?.[name]
})

/** The whole `AuthResult` (`user`, `claims`, `token`, `issuer`, `project`: those the credentials gave). */
export const AuthResult = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  resultOf(context),
)
