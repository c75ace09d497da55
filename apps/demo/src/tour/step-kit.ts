import type { ApiEndpoint, ApiName, DemoManifest, Resource } from '../manifest.js'
import { apiRequest, type Credentials, dataOf } from './api-calls.js'
import type { TourAnswer, TourStep, TourVars } from './tour-types.js'

export type DemoUserEntry = DemoManifest['users'][number]

/** The JSON body of an answer, as a record. */
export const json = (answer: TourAnswer) => (answer.body ?? {}) as Record<string, unknown>

/** Builders shared by the tour's sections. */
export interface StepKit {
  manifest: DemoManifest
  api(name: ApiName): ApiEndpoint
  /** One step per API asking for `resource`; a GraphQL 200 must also carry no `errors`. */
  eachApi(
    id: string,
    group: string,
    resource: Resource,
    credentials: (vars: TourVars) => Credentials,
    expectStatus: number,
    options?: { printed?: ApiName[] | 'all'; check?: TourStep['check'] },
  ): TourStep[]
  /** A password-grant token, remembered as `variable` (and its refresh token as `${variable}_REFRESH`). */
  passwordToken(
    id: string,
    group: string,
    variable: string,
    user: DemoUserEntry,
    options?: { scope?: string; printed?: boolean },
  ): TourStep
}

export function createStepKit(manifest: DemoManifest): StepKit {
  const issuer = manifest.issuer
  return {
    manifest,
    api: (name) => manifest.apis.find((api) => api.name === name) as ApiEndpoint,
    eachApi: (id, group, resource, credentials, expectStatus, options = {}) =>
      manifest.apis.map((api) => ({
        id: `${id}-${api.name}`,
        group,
        printed: options.printed === 'all' || (options.printed?.includes(api.name) ?? false),
        request: (vars) => apiRequest(api, resource, credentials(vars)),
        expectStatus,
        check: (answer, vars) => {
          const errors = (answer.body as { errors?: unknown[] } | null)?.errors
          if (api.kind === 'graphql' && expectStatus === 200 && errors?.length)
            return `GraphQL errors: ${JSON.stringify(errors)}`
          return options.check?.(answer, vars)
        },
      })),
    passwordToken: (id, group, variable, user, { scope, printed = true } = {}) => ({
      id,
      group,
      printed,
      request: () => ({
        method: 'POST',
        url: `${issuer}/token`,
        form: {
          grant_type: 'password',
          username: user.email,
          password: user.password,
          ...(scope && { scope }),
        },
      }),
      expectStatus: 200,
      check: (answer) =>
        typeof json(answer).access_token === 'string' && typeof json(answer).refresh_token === 'string'
          ? undefined
          : 'no access_token and refresh_token in the answer',
      capture: (answer) => ({
        [variable]: json(answer).access_token as string,
        [`${variable}_REFRESH`]: json(answer).refresh_token as string,
      }),
      // `Accept: text/plain` makes /token answer the bare access token, ready for a shell variable.
      shell: () =>
        `${variable}=$(curl -s ${issuer}/token -H 'accept: text/plain' -d grant_type=password -d username=${user.email} -d password=${user.password}${scope ? ` -d scope=${scope}` : ''})`,
    }),
  }
}

/** Checks that the answer is the profile of `email` (REST `profile`, GraphQL `me`). */
export function isProfileOf(email: string) {
  return (answer: TourAnswer): string | undefined => {
    const data = dataOf(answer)
    const found =
      (data?.profile as { email?: string } | undefined)?.email ??
      (data?.me as { email?: string } | undefined)?.email
    return found === email ? undefined : `expected the profile of ${email}, got ${String(found)}`
  }
}
