import { Inject } from '@nestjs/common'

/** Injection token of the module's `Auth` instance: `@Inject(PORTCULLIS_AUTH)` or `@InjectAuth()`. */
export const PORTCULLIS_AUTH: unique symbol = Symbol('PORTCULLIS_AUTH')

/** Injects the `Auth` instance that `PortcullisModule.forRoot`/`forRootAsync` provides. */
export function InjectAuth(): PropertyDecorator & ParameterDecorator {
  return Inject(PORTCULLIS_AUTH)
}
