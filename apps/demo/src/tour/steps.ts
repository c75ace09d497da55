import type { DemoManifest } from '../manifest.js'
import { apiRequest, authCode, expectCode, unverifiedClaims, unverifiedHeader } from './api-calls.js'
import { signedLookupShell, signLookupHeaders } from './signed-lookup.js'
import { createStepKit, type DemoUserEntry, isProfileOf, json, type StepKit } from './step-kit.js'
import type { TourAnswer, TourStep } from './tour-types.js'

/**
 * The guided tour, as data: `pnpm demo` prints the `printed` steps as curl commands; `demo:check` and the
 * tests run every step, in order, against a live demo and fail on any unexpected status.
 */
export function tourSteps(manifest: DemoManifest): TourStep[] {
  const kit = createStepKit(manifest)
  return [
    ...bearerSteps(kit),
    ...refreshSteps(kit),
    ...apiKeySteps(kit),
    ...lookupSteps(kit),
    ...(manifest.projectMode ? projectSteps(kit) : []),
    ...(manifest.adminKey !== undefined ? adminSteps(kit, manifest.adminKey) : []),
  ]
}

function users(kit: StepKit): [DemoUserEntry, DemoUserEntry] {
  return kit.manifest.users as [DemoUserEntry, DemoUserEntry]
}

function bearerSteps(kit: StepKit): TourStep[] {
  const { manifest } = kit
  const [ada] = users(kit)
  const issuer = manifest.issuer
  const scoped = 'A token with fewer scopes: 403 insufficient_scope'
  const revoked = 'Revoke the token: every API refuses it at once'
  return [
    kit.passwordToken(
      'token',
      'Get a token (password grant; passwords are scrypt-hashed in data/users.yaml)',
      'TOKEN',
      ada,
    ),
    {
      id: 'decode',
      group: 'See it verified and decoded by @portcullis/core',
      printed: true,
      request: (vars) => ({ method: 'POST', url: `${issuer}/decode`, form: { token: vars.TOKEN as string } }),
      expectStatus: 200,
      check: (answer) => {
        const { claims, header } = json(answer) as {
          claims?: Record<string, unknown>
          header?: Record<string, unknown>
        }
        if (header?.alg !== 'RS512') return `expected alg RS512, got ${String(header?.alg)}`
        if ((claims?.sub as { email?: string } | undefined)?.email !== ada.email)
          return 'sub.email is not the user'
        if (claims?.type !== 'access' || typeof claims.project_uuid !== 'string')
          return 'not a Mercury access token'
        return undefined
      },
    },
    ...kit.eachApi('profile', 'Call each API with it', 'profile', (vars) => ({ token: vars.TOKEN }), 200, {
      printed: 'all',
      check: isProfileOf(ada.email),
    }),
    ...kit.eachApi(
      'no-token',
      'No token: 401 with a WWW-Authenticate challenge',
      'profile',
      () => ({}),
      401,
      {
        printed: ['express'],
        check: (answer) =>
          answer.headers.get('www-authenticate')?.startsWith('Bearer') ? undefined : 'no Bearer challenge',
      },
    ),
    kit.passwordToken('narrow-token', scoped, 'NARROW', ada, { scope: 'profile:read' }),
    ...kit.eachApi('missing-scope', scoped, 'reports', (vars) => ({ token: vars.NARROW }), 403, {
      printed: ['express', 'graphql-pothos'],
      check: expectCode('insufficient_scope'),
    }),
    ...kit.eachApi(
      'reports',
      'The full token holds reports:read',
      'reports',
      (vars) => ({ token: vars.TOKEN }),
      200,
    ),
    {
      id: 'revoke',
      group: revoked,
      printed: true,
      request: (vars) => ({ method: 'POST', url: `${issuer}/revoke`, form: { token: vars.TOKEN as string } }),
      expectStatus: 200,
      check: (answer) => (json(answer).revoked === 'token' ? undefined : 'nothing was revoked'),
    },
    ...kit.eachApi('revoked', revoked, 'profile', (vars) => ({ token: vars.TOKEN }), 401, {
      printed: ['express', 'nestjs', 'graphql-sdl'],
      check: expectCode('token_revoked'),
    }),
    {
      id: 'decode-revoked',
      group: revoked,
      request: (vars) => ({ method: 'POST', url: `${issuer}/decode`, form: { token: vars.TOKEN as string } }),
      expectStatus: 401,
      check: expectCode('token_revoked'),
    },
  ]
}

function refreshSteps(kit: StepKit): TourStep[] {
  const issuer = kit.manifest.issuer
  const group = 'Rotating refresh tokens: reusing one revokes its family'
  const refresh = (variable: string) => (vars: Record<string, string>) => ({
    method: 'POST' as const,
    url: `${issuer}/refresh`,
    form: { refresh_token: vars[variable] as string },
  })
  return [
    {
      id: 'refresh',
      group,
      request: refresh('TOKEN_REFRESH'),
      expectStatus: 200,
      capture: (answer) => ({
        TOKEN2: json(answer).access_token as string,
        TOKEN2_REFRESH: json(answer).refresh_token as string,
      }),
    },
    {
      id: 'refreshed-call',
      group,
      request: (vars) => apiRequest(kit.api('express'), 'profile', { token: vars.TOKEN2 }),
      expectStatus: 200,
    },
    {
      id: 'refresh-reuse',
      group,
      request: refresh('TOKEN_REFRESH'),
      expectStatus: 400,
      check: (answer) =>
        String(json(answer).error_description).includes('reuse') ? undefined : 'reuse was not detected',
    },
    {
      id: 'family-revoked',
      group,
      request: (vars) => apiRequest(kit.api('nestjs'), 'profile', { token: vars.TOKEN2 }),
      expectStatus: 401,
      check: expectCode('token_revoked'),
    },
    { id: 'refresh-after-reuse', group, request: refresh('TOKEN2_REFRESH'), expectStatus: 400 },
  ]
}

function apiKeySteps(kit: StepKit): TourStep[] {
  const { manifest } = kit
  const issuer = manifest.issuer
  const inline = 'An inline api_key_config takes precedence over the key file'
  const tokenRequest = (body: Record<string, unknown>) => () => ({
    method: 'POST' as const,
    url: `${issuer}/token`,
    json: { grant_type: 'api_key', api_key: manifest.apiKey, ...body },
  })
  return [
    {
      id: 'api-key',
      group: 'An API key: static and dynamic claims from its YAML file (data/api-keys/)',
      printed: true,
      request: () => ({
        method: 'POST',
        url: `${issuer}/token`,
        form: { grant_type: 'api_key', api_key: manifest.apiKey },
      }),
      expectStatus: 200,
      check: (answer) => {
        const claims = unverifiedClaims(String(json(answer).access_token))
        const expected = {
          team: 'analytics',
          tier: 'gold',
          plan: 'enterprise',
          seats: 30,
          api_key_id: 'reporting-bot',
        }
        for (const [name, value] of Object.entries(expected))
          if (claims[name] !== value) return `claim ${name}: expected ${value}, got ${String(claims[name])}`
        return undefined
      },
    },
    {
      id: 'api-key-inline',
      group: inline,
      request: tokenRequest({
        api_key_config: {
          claims: { team: 'inline-override' },
          dynamic_claims: [
            {
              claim: 'seats',
              http: { url: '{issuer}/demo/crm/users/{user_id}', response_field: 'data.account.seats' },
            },
          ],
        },
      }),
      expectStatus: 200,
      check: (answer) => {
        const claims = unverifiedClaims(String(json(answer).access_token))
        if (claims.team !== 'inline-override' || claims.seats !== 30) return 'the inline claims are missing'
        return claims.tier === undefined && claims.plan === undefined
          ? undefined
          : "the file's claims leaked in"
      },
    },
    {
      id: 'api-key-inline-foreign-origin',
      group: inline,
      request: tokenRequest({
        api_key_config: { dynamic_claims: [{ claim: 'x', http: { url: 'http://127.0.0.2:9/elsewhere' } }] },
      }),
      expectStatus: 400,
      check: (answer) =>
        String(json(answer).error_description).includes('not an allowed origin')
          ? undefined
          : 'a foreign origin was not refused',
    },
    {
      id: 'api-key-reserved-claim',
      group: inline,
      request: tokenRequest({ api_key_config: { claims: { sub: 'someone-else' } } }),
      expectStatus: 400,
    },
    {
      id: 'dynamic-claim-timeout',
      group: 'A dynamic claim that fails stops issuance with a clear error',
      request: () => ({
        method: 'POST',
        url: `${issuer}/token`,
        form: { grant_type: 'api_key', api_key: manifest.slowCrmApiKey },
      }),
      expectStatus: 502,
      check: (answer) =>
        json(answer).error === 'dynamic_claim_failed' &&
        String(json(answer).error_description).includes('timed out after 300 ms')
          ? undefined
          : 'expected dynamic_claim_failed, timed out after 300 ms',
    },
  ]
}

function lookupSteps(kit: StepKit): TourStep[] {
  const { manifest } = kit
  const group = "The registry's Mercury-style GET /auth (what core's project resolver calls)"
  const lookup = (
    id: string,
    appId: string,
    secret: string,
    status: number,
    badSignature = false,
  ): TourStep => ({
    id,
    group,
    request: () => {
      const headers = signLookupHeaders(`${appId}:${secret}:${manifest.serviceId}`)
      if (badSignature) headers['x-signature'] = '0'.repeat(64)
      return { method: 'GET', url: `${manifest.issuer}/auth`, headers }
    },
    expectStatus: status,
    ...(status === 200 && {
      check: (answer: TourAnswer) =>
        json(answer).projectUuid === manifest.project.uuid ? undefined : 'wrong projectUuid',
    }),
    shell: () => signedLookupShell(manifest, appId, secret),
  })
  const { project, otherProject } = manifest
  return [
    lookup('lookup', project.appId, project.appSecret, 200),
    lookup('lookup-bad-signature', project.appId, project.appSecret, 401, true),
    lookup('lookup-wrong-secret', project.appId, 'not-the-secret', 401),
    lookup('lookup-service-not-enabled', otherProject.appId, otherProject.appSecret, 403),
  ]
}

function projectSteps(kit: StepKit): TourStep[] {
  const { manifest } = kit
  const [ada, grace] = users(kit)
  const app = { appId: manifest.project.appId, appSecret: manifest.project.appSecret }
  const other = { appId: manifest.otherProject.appId, appSecret: manifest.otherProject.appSecret }
  const credentials = 'Project credentials (x-app-id / x-app-secret)'
  const combined = 'User and project together (combined: each must hold secure:read)'
  const isDemoProject = (answer: TourAnswer) => {
    const body = (json(answer).data ?? json(answer)) as {
      project?: { uuid?: string; project?: { uuid?: string } }
    }
    const uuid = body.project?.uuid ?? body.project?.project?.uuid
    return uuid === manifest.project.uuid
      ? undefined
      : `expected project ${manifest.project.uuid}, got ${String(uuid)}`
  }
  return [
    ...kit.eachApi('project', credentials, 'project', () => ({ app }), 200, {
      printed: ['express', 'graphql-sdl'],
      check: isDemoProject,
    }),
    ...kit.eachApi(
      'project-wrong-secret',
      credentials,
      'project',
      () => ({ app: { ...app, appSecret: 'wrong' } }),
      401,
      {
        check: expectCode('project_credentials_invalid'),
      },
    ),
    ...kit.eachApi('project-service-not-enabled', credentials, 'project', () => ({ app: other }), 403),
    kit.passwordToken('token-for-secure', combined, 'TOKEN3', ada),
    ...kit.eachApi('secure', combined, 'secure', (vars) => ({ token: vars.TOKEN3, app }), 200, {
      printed: ['express'],
    }),
    ...kit.eachApi('secure-token-only', combined, 'secure', (vars) => ({ token: vars.TOKEN3 }), 401, {
      check: expectCode('credentials_missing'),
    }),
    kit.passwordToken('grace-token', combined, 'GRACE', grace, { printed: false }),
    ...kit.eachApi(
      'secure-user-lacks-scope',
      combined,
      'secure',
      (vars) => ({ token: vars.GRACE, app }),
      403,
      {
        check: expectCode('insufficient_scope'),
      },
    ),
  ]
}

function adminSteps(kit: StepKit, adminKey: string): TourStep[] {
  const { manifest } = kit
  const [, grace] = users(kit)
  const admin = { 'x-admin-key': adminKey }
  const rotation = 'Key rotation: new tokens use the new key, older ones stay valid until they expire'
  const subject = 'Revoke every token of a user (admin)'
  return [
    {
      id: 'rotate-keys',
      group: rotation,
      request: () => ({ method: 'POST', url: `${manifest.issuer}/admin/keys/rotate`, headers: admin }),
      expectStatus: 200,
      capture: (answer) => ({ NEW_KID: json(answer).current as string }),
    },
    kit.passwordToken('token-after-rotation', rotation, 'ROTATED', grace, { printed: false }),
    {
      id: 'rotated-token-call',
      group: rotation,
      request: (vars) => apiRequest(kit.api('express'), 'profile', { token: vars.ROTATED }),
      expectStatus: 200,
      check: (_answer, vars) =>
        unverifiedHeader(vars.ROTATED as string).kid === vars.NEW_KID
          ? undefined
          : 'the new token is not signed with the new key',
    },
    {
      id: 'pre-rotation-token-call',
      group: rotation,
      request: (vars) => apiRequest(kit.api('graphql-sdl'), 'profile', { token: vars.NARROW }),
      expectStatus: 200,
    },
    {
      id: 'revoke-subject',
      group: subject,
      request: (vars) => ({
        method: 'POST',
        url: `${manifest.issuer}/revoke`,
        headers: admin,
        form: { sub: (unverifiedClaims(vars.ROTATED as string).sub as { uuid: string }).uuid },
      }),
      expectStatus: 200,
    },
    {
      id: 'subject-revoked-call',
      group: subject,
      request: (vars) => apiRequest(kit.api('graphql-pothos'), 'profile', { token: vars.ROTATED }),
      expectStatus: 401,
      check: (answer) =>
        authCode(answer) === 'token_revoked' ? undefined : `expected token_revoked, got ${authCode(answer)}`,
    },
  ]
}
