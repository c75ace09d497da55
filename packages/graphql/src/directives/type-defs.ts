/**
 * The directive definitions, named as the Wazobia GraphQL adapters name them so existing schemas carry
 * over. Add them to your type definitions, then run the schema through `applyPortcullisDirectives`.
 * On an object type a directive applies to every field of the type.
 */
export const portcullisDirectiveTypeDefs = /* GraphQL */ `
"""Requires a valid bearer token (JWT). scopes: all required. optional: no credentials passes as anonymous, bad ones still fail."""
directive @jwtAuth(scopes: [String!], optional: Boolean = false) on FIELD_DEFINITION | OBJECT

"""Requires project credentials: x-app-id and x-app-secret, or a Mercury token (project, platform or service) in x-project-token."""
directive @projectAuth(scopes: [String!], optional: Boolean = false) on FIELD_DEFINITION | OBJECT

"""Requires both a bearer token and project credentials, agreeing on the project. scopes: required of the user and of the project each, unless mergeScopes pools them; userScopes / projectScopes: of one party only."""
directive @combinedAuth(scopes: [String!], userScopes: [String!], projectScopes: [String!], mergeScopes: Boolean = false, optional: Boolean = false) on FIELD_DEFINITION | OBJECT

"""Accepts whichever credential the request carries: a bearer token, project credentials, or both (then both are checked)."""
directive @anyAuth(scopes: [String!], userScopes: [String!], projectScopes: [String!], optional: Boolean = false) on FIELD_DEFINITION | OBJECT

"""Requires a Mercury service token in x-project-token: another service calling (not project or platform tokens, not app credentials)."""
directive @serviceAuth(scopes: [String!]) on FIELD_DEFINITION | OBJECT

"""Scopes on top of the auth directive (@jwtAuth when there is none): requires = every one, any = at least one."""
directive @scopes(requires: [String!], any: [String!]) on FIELD_DEFINITION | OBJECT
`
