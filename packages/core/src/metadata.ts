import type { ProtectedResourceConfig } from './config/schema.js'

/** RFC 9728 §2 protected-resource metadata, as served at `/.well-known/oauth-protected-resource`. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers?: string[]
  scopes_supported?: string[]
  bearer_methods_supported: string[]
  resource_name?: string
  resource_documentation?: string
}

export function buildProtectedResourceMetadata(
  config: ProtectedResourceConfig,
  issuers: readonly string[],
): ProtectedResourceMetadata {
  const servers = config.authorizationServers ?? issuers
  return {
    resource: config.resource,
    ...(servers.length > 0 && { authorization_servers: [...servers] }),
    ...(config.scopesSupported && { scopes_supported: [...config.scopesSupported] }),
    bearer_methods_supported: ['header'],
    ...(config.resourceName && { resource_name: config.resourceName }),
    ...(config.resourceDocumentation && { resource_documentation: config.resourceDocumentation }),
  }
}

/**
 * Where the metadata lives: RFC 9728 §3.1 inserts `/.well-known/oauth-protected-resource` between the host
 * and the path of the resource identifier.
 */
export function protectedResourceMetadataUrl(config: ProtectedResourceConfig): string {
  if (config.metadataUrl) return config.metadataUrl
  const url = new URL(config.resource)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')
  return `${url.origin}/.well-known/oauth-protected-resource${path}`
}
