import { Injectable } from '@nestjs/common'
import { PortcullisAuthGuard } from './portcullis-auth.guard.js'

/** Requires a valid bearer token (mode `jwt`). */
@Injectable()
export class JwtAuthGuard extends PortcullisAuthGuard {
  protected readonly mode = 'jwt'
}

/** Requires project credentials (mode `project`): app id + secret or a project token. */
@Injectable()
export class ProjectAuthGuard extends PortcullisAuthGuard {
  protected readonly mode = 'project'
}

/** Requires both a bearer token and project credentials (mode `combined`). */
@Injectable()
export class CombinedAuthGuard extends PortcullisAuthGuard {
  protected readonly mode = 'combined'
}

/** Accepts whichever credential the request carries, bearer token or project (mode `any`). */
@Injectable()
export class AnyAuthGuard extends PortcullisAuthGuard {
  protected readonly mode = 'any'
}
