import type { Router } from 'express'
import type { IssuerContext } from './issuer-context.js'

/** OpenID discovery and the key set, as `@portcullis/core` finds them from the issuer URL. */
export function mountDiscoveryRoutes(router: Router, ctx: IssuerContext, scopes: readonly string[]): void {
  router.get('/.well-known/openid-configuration', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json({
      issuer: ctx.url,
      jwks_uri: `${ctx.url}/.well-known/jwks.json`,
      authorization_endpoint: `${ctx.url}/authorize`,
      token_endpoint: `${ctx.url}/token`,
      revocation_endpoint: `${ctx.url}/revoke`,
      introspection_endpoint: `${ctx.url}/decode`,
      grant_types_supported: [
        'authorization_code',
        'password',
        'refresh_token',
        'urn:portcullis:grant-type:api-key',
      ],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS512'],
      scopes_supported: scopes,
    })
  })
  router.get('/.well-known/jwks.json', (_req, res) => {
    // Short max-age: a rotation is picked up quickly, and the next key is published ahead anyway.
    res
      .set('cache-control', 'public, max-age=60')
      .type('application/jwk-set+json')
      .send(JSON.stringify(ctx.keys.jwks()))
  })
}
