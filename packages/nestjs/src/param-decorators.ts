import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import type { AuthResult as CoreAuthResult } from '@portcullis/core'
import { exchangeOf } from './exchange.js'

/** The result a Portcullis guard attached to this request, if any. */
function resultOf(context: ExecutionContext): (CoreAuthResult & { project?: unknown }) | undefined {
  return exchangeOf(context)?.request.auth
}

/** The authenticated `User` (undefined on an optional route reached anonymously). `@CurrentUser('email')` picks a field. */
export const CurrentUser = createParamDecorator((field: string | undefined, context: ExecutionContext) => {
  const user = resultOf(context)?.user
  return field === undefined ? user : (user as Record<string, unknown> | undefined)?.[field]
})

/** The authenticated project, once core authenticates projects (modes `project`, `combined`, `any`). */
export const CurrentProject = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => resultOf(context)?.project,
)

/** The verified token's claims; `@Claims('sub')` picks one claim. */
export const Claims = createParamDecorator((name: string | undefined, context: ExecutionContext) => {
  const claims = resultOf(context)?.claims
  return name === undefined ? claims : claims?.[name]
})

/** The whole `AuthResult` (`user`, `claims`, `token`, `issuer`, and `project` once core has it). */
export const AuthResult = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  resultOf(context),
)
