/**
 * What a project resolver knows about a project. The app secret is never part of it: resolvers that hold
 * secrets hold their HMAC (`hashProjectSecret`) and compare it themselves.
 */
export interface ProjectRecord {
  projectUuid: string
  projectName?: string
  /** A disabled project is refused with `project_revoked`. */
  enabled: boolean
  /** Service ids the project may call; this service must be among them. */
  enabledServices: readonly string[]
  scopes: readonly string[]
  secretVersion: number
}

/** A project, however it proved itself: app credentials, or a Mercury project or platform token. */
export interface ProjectPrincipal {
  tokenType: 'credentials' | 'project' | 'platform'
  projectUuid: string
  projectName?: string
  /** Mercury tenant: the project uuid. */
  tenant: string
  enabledServices: readonly string[]
  scopes: readonly string[]
  secretVersion: number
  /** Credentials path: the `x-app-id` presented. */
  appId?: string
  /** Token path: Mercury's `token_id`. */
  tokenId?: string
  /** Token path: epoch seconds. */
  expiresAt?: number
}

/** Another service calling with a Mercury service token. */
export interface ServicePrincipal {
  tokenType: 'service'
  clientId: string
  serviceName: string
  scopes: readonly string[]
  /** The token's `jti`. */
  tokenId: string
  expiresAt: number
  enabledServices: readonly string[]
  projectUuid?: undefined
  tenant?: undefined
}

/** What goes into `AuthResult.project`: branch on `tokenType`. */
export type ProjectIdentity = ProjectPrincipal | ServicePrincipal
