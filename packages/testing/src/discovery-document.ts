import type { TestAlg } from './algorithms.js'
import { mergeDroppingUndefined } from './merge-dropping-undefined.js'

export interface DiscoveryInputs {
  issuer: string
  jwksUri: string
  /** The issuer URL without a trailing slash, to hang placeholder endpoints under. */
  endpointBase: string
  signingAlgs: TestAlg[]
  overrides: Record<string, unknown>
}

/** The OpenID Provider metadata the issuer serves; overrides set to undefined remove a member. */
export function buildDiscoveryDocument(inputs: DiscoveryInputs): Record<string, unknown> {
  return mergeDroppingUndefined(
    {
      issuer: inputs.issuer,
      jwks_uri: inputs.jwksUri,
      // Never served: present because OIDC discovery requires them and some clients check.
      authorization_endpoint: `${inputs.endpointBase}/authorize`,
      token_endpoint: `${inputs.endpointBase}/token`,
      id_token_signing_alg_values_supported: inputs.signingAlgs,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
    },
    inputs.overrides,
  )
}
