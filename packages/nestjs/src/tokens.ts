import { Inject } from '@nestjs/common'

// String tokens rather than symbols: should the ESM and the CJS build both get loaded in one app, they still
// name the same providers.

/** Injection token of the module's `Auth` instance: `@Inject(PORTCULLIS_AUTH)` or `@InjectAuth()`. */
export const PORTCULLIS_AUTH = 'PORTCULLIS_AUTH'

/** Injection token of the application's compiled route policies (internal). */
export const ROUTE_POLICIES = 'PORTCULLIS_ROUTE_POLICIES'

/** Injects the `Auth` instance that `PortcullisModule.forRoot`/`forRootAsync` provides. */
export function InjectAuth(): PropertyDecorator & ParameterDecorator {
  return Inject(PORTCULLIS_AUTH)
}
