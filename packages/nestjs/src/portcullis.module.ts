import {
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common'
import { DiscoveryModule } from '@nestjs/core'
import {
  type Auth,
  type AuthOptions,
  createAuth,
  type PortcullisConfig,
  type PortcullisConfigInput,
} from '@portcullis/core'
import { RoutePolicies } from './route-policies.js'
import { PORTCULLIS_AUTH, ROUTE_POLICIES } from './tokens.js'

/** A core configuration (handed to `createAuth`) or an `Auth` built elsewhere. */
export type PortcullisAuthSource = PortcullisConfigInput | PortcullisConfig | Auth

export interface PortcullisModuleOptions {
  /** Register the module globally, so every module's guards can reach the `Auth` (default true). */
  global?: boolean
  /** Call `auth.close()` on application shutdown (default true, also for an `Auth` passed in). */
  closeOnShutdown?: boolean
  /** Options for `createAuth` when a configuration is given (ignored for an `Auth` instance). */
  authOptions?: AuthOptions
}

export interface PortcullisModuleAsyncOptions
  extends PortcullisModuleOptions,
    Pick<ModuleMetadata, 'imports'> {
  /** Returns the configuration or an `Auth`; its arguments are the `inject` tokens, resolved. */
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own factory signature: arguments come from `inject`.
  useFactory: (...args: any[]) => PortcullisAuthSource | Promise<PortcullisAuthSource>
  inject?: FactoryProvider['inject']
}

/** Closes the `Auth` (key-set refreshes, caches) when the application shuts down. */
@Injectable()
class AuthShutdown implements OnApplicationShutdown {
  constructor(@Inject(PORTCULLIS_AUTH) private readonly auth: Auth) {}

  async onApplicationShutdown(): Promise<void> {
    await this.auth.close()
  }
}

/** Provides the `Auth` instance (`PORTCULLIS_AUTH`, `@InjectAuth()`) that Portcullis guards use. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static forRoot/forRootAsync.
export class PortcullisModule {
  /** From a core configuration (validated now: a bad one fails start-up) or an existing `Auth`. */
  static forRoot(source: PortcullisAuthSource, options: PortcullisModuleOptions = {}): DynamicModule {
    return buildModule(options, [], {
      provide: PORTCULLIS_AUTH,
      useFactory: () => toAuth(source, options.authOptions),
    })
  }

  /** From a factory, e.g. one reading `ConfigService` (`imports: [ConfigModule], inject: [ConfigService]`). */
  static forRootAsync(options: PortcullisModuleAsyncOptions): DynamicModule {
    return buildModule(options, options.imports ?? [], {
      provide: PORTCULLIS_AUTH,
      useFactory: async (...args: unknown[]) =>
        toAuth(await options.useFactory(...args), options.authOptions),
      inject: options.inject ?? [],
    })
  }
}

function buildModule(
  options: PortcullisModuleOptions,
  imports: NonNullable<ModuleMetadata['imports']>,
  authProvider: FactoryProvider<Auth>,
): DynamicModule {
  const providers: Provider[] = [authProvider, { provide: ROUTE_POLICIES, useClass: RoutePolicies }]
  if (options.closeOnShutdown !== false) providers.push(AuthShutdown)
  return {
    module: PortcullisModule,
    global: options.global ?? true,
    imports: [DiscoveryModule, ...imports],
    providers,
    exports: [PORTCULLIS_AUTH, ROUTE_POLICIES],
  }
}

function toAuth(source: PortcullisAuthSource, authOptions: AuthOptions | undefined): Auth {
  return isAuth(source) ? source : createAuth(source, authOptions)
}

function isAuth(value: PortcullisAuthSource): value is Auth {
  const candidate = value as Partial<Auth>
  return (
    typeof candidate.authenticate === 'function' &&
    typeof candidate.policy === 'function' &&
    typeof candidate.close === 'function'
  )
}
