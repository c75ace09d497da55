import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { buildCompactJws } from './compact-jws.js'
import type { FaultMode } from './loopback-server.js'
import { StandInHttpServer, type StandInReply, type StandInRequest } from './mercury-standin-server.js'
import { mergeDroppingUndefined } from './merge-dropping-undefined.js'
import { generateTestKey, type TestKey } from './test-key.js'

export interface MercuryStandInProject {
  appId: string
  appSecret: string
  /** Default: a random UUID. It is also the project's tenant, with its own signing key. */
  projectUuid?: string
  projectName?: string
  /** A disabled project is refused with 401 "Project is disabled". Default true. */
  enabled?: boolean
  /** Services the project may call (403 otherwise). Default: any. */
  enabledServices?: readonly string[]
  /** Extra members for the /auth answer; by default Mercury answers only { projectUuid, projectName }. */
  answerExtras?: Record<string, unknown>
}

export interface MercuryStandInService {
  clientId: string
  clientSecret: string
  /** Default: a random UUID. */
  serviceId?: string
  /** Default: the client id. */
  serviceName?: string
}

export interface MercuryStandInOptions {
  /** `SIGNATURE_SHARED_SECRET` the stand-in expects callers to sign with. */
  signingSecret: string
  projects?: readonly MercuryStandInProject[]
  services?: readonly MercuryStandInService[]
  /** More tenants with key sets, besides each project's uuid. */
  tenants?: readonly string[]
  /** Accepted `X-Timestamp` skew. Default 300,000 ms. */
  timestampToleranceMs?: number
}

export interface MintProjectTokenOptions {
  /** Default 'project'. */
  type?: 'project' | 'platform'
  /** Default: a random UUID; also written to Mercury's `project_token:` / `platform_token:` memory. */
  tokenId?: string
  /** Default: the project's enabledServices, else []. */
  enabledServices?: readonly string[]
  scopes?: readonly string[]
  /** Default 0. */
  secretVersion?: number
  /** Merged over the claims; a claim set to undefined is removed. */
  claims?: Record<string, unknown>
  /** Seconds. Default 300. */
  expiresIn?: number
  /** Sign with this key instead of the tenant's (e.g. another tenant's). */
  key?: TestKey
}

export interface MintServiceTokenOptions {
  clientId?: string
  serviceName?: string
  /** Space-separated. Default 'services:read'. */
  scope?: string
  claims?: Record<string, unknown>
  expiresIn?: number
}

export interface MercuryStandInCounts {
  readonly auth: number
  readonly graphql: number
  /** Every request for a tenant key set, known tenant or not. */
  readonly tenantJwks: number
  readonly serviceJwks: number
  readonly other: number
}

/** What one `GET /auth` carried, minus the secret. */
export interface MercuryAuthCall {
  appId: string
  serviceId: string | undefined
  outcome:
    | 'ok'
    | 'bad_signature'
    | 'stale_timestamp'
    | 'unknown_app'
    | 'wrong_secret'
    | 'disabled'
    | 'service'
}

/**
 * A real HTTP stand-in for Wazobia's Mercury on 127.0.0.1: `GET /auth` checking `X-Timestamp` /
 * `X-Signature` and Basic `appId:secret:serviceId` as Mercury does; `POST /graphql` answering
 * `generateServiceToken` and `getRegisteredServiceByClientId`; per-tenant key sets at
 * `/auth/projects/{tenant}/.well-known/jwks.json` and the service key set at
 * `/auth/service/.well-known/jwks.json`; it mints project, platform and service tokens, counts every call,
 * and can go down or slow like the test issuer.
 */
export interface MercuryStandIn {
  /** Base URL (`MERCURY_BASE_URL`). */
  readonly url: string
  readonly counts: MercuryStandInCounts
  /** Key set requests for one tenant. */
  jwksFetches(tenant: string): number
  /** The /auth calls seen, oldest first. */
  readonly authCalls: readonly MercuryAuthCall[]
  resetCounts(): void
  setMode(mode: FaultMode): void
  slowMs: number
  /** Adds a project (and its tenant key set); returns its uuid. */
  addProject(project: MercuryStandInProject): string
  updateProject(appId: string, patch: Partial<Omit<MercuryStandInProject, 'appId'>>): void
  /** Adds a tenant with a fresh RS256 key; returns the tenant id (default a random UUID). */
  addTenant(tenant?: string): string
  /** The tenant's current signing key. */
  tenantKey(tenant: string): TestKey
  /** Publishes a new key for the tenant (the old one stays published). */
  rotateTenantKey(tenant: string): TestKey
  mintProjectToken(tenant: string, options?: MintProjectTokenOptions): string
  mintServiceToken(options?: MintServiceTokenOptions): string
  /** Mercury's own Redis memory of live tokens (`project_token:{id}`, `platform_token:{id}`) as minted. */
  readonly liveTokenKeys: ReadonlySet<string>
  close(): Promise<void>
}

/** Starts a Mercury stand-in at a free port. Signing keys are made when first needed (RSA 2048, RS256). */
export async function startMercuryStandIn(options: MercuryStandInOptions): Promise<MercuryStandIn> {
  const standIn = new LocalMercuryStandIn(options)
  await standIn.listen()
  return standIn
}

class LocalMercuryStandIn implements MercuryStandIn {
  #server: StandInHttpServer | undefined
  readonly #options: MercuryStandInOptions
  readonly #projects = new Map<
    string,
    Required<Pick<MercuryStandInProject, 'projectUuid'>> & MercuryStandInProject
  >()
  readonly #services = new Map<string, Required<MercuryStandInService>>()
  /** Tenants and their published keys; an empty list means "known, keys not made yet". */
  readonly #tenantKeys = new Map<string, TestKey[]>()
  #serviceKey: TestKey | undefined
  readonly #issuedServiceTokens = new Set<string>()
  readonly #live = new Set<string>()
  readonly #jwksByTenant = new Map<string, number>()
  readonly #calls: MercuryAuthCall[] = []
  #counts = { auth: 0, graphql: 0, tenantJwks: 0, serviceJwks: 0, other: 0 }

  constructor(options: MercuryStandInOptions) {
    this.#options = options
    for (const tenant of options.tenants ?? []) this.addTenant(tenant)
    for (const project of options.projects ?? []) this.addProject(project)
    for (const service of options.services ?? []) {
      this.#services.set(service.clientId, {
        serviceId: randomUUID(),
        serviceName: service.clientId,
        ...service,
      })
    }
  }

  async listen(): Promise<void> {
    this.#server = await StandInHttpServer.listen(
      (request) => this.#route(request),
      (pathname) => this.#count(pathname),
    )
  }

  get url(): string {
    return this.#http().origin
  }

  get counts(): MercuryStandInCounts {
    return { ...this.#counts }
  }

  get authCalls(): readonly MercuryAuthCall[] {
    return [...this.#calls]
  }

  get liveTokenKeys(): ReadonlySet<string> {
    return new Set(this.#live)
  }

  get slowMs(): number {
    return this.#http().slowMs
  }

  set slowMs(milliseconds: number) {
    this.#http().slowMs = milliseconds
  }

  jwksFetches(tenant: string): number {
    return this.#jwksByTenant.get(tenant) ?? 0
  }

  resetCounts(): void {
    this.#counts = { auth: 0, graphql: 0, tenantJwks: 0, serviceJwks: 0, other: 0 }
    this.#jwksByTenant.clear()
    this.#calls.length = 0
  }

  setMode(mode: FaultMode): void {
    this.#http().mode = mode
  }

  addProject(project: MercuryStandInProject): string {
    const projectUuid = project.projectUuid ?? randomUUID()
    this.#projects.set(project.appId, { ...project, projectUuid })
    if (!this.#tenantKeys.has(projectUuid)) this.addTenant(projectUuid)
    return projectUuid
  }

  updateProject(appId: string, patch: Partial<Omit<MercuryStandInProject, 'appId'>>): void {
    const project = this.#projects.get(appId)
    if (!project) throw new Error(`no project with app id ${appId}`)
    this.#projects.set(appId, { ...project, ...patch, projectUuid: patch.projectUuid ?? project.projectUuid })
  }

  addTenant(tenant: string = randomUUID()): string {
    if (!this.#tenantKeys.has(tenant)) this.#tenantKeys.set(tenant, [])
    return tenant
  }

  tenantKey(tenant: string): TestKey {
    const keys = this.#keysOf(tenant)
    if (!keys) throw new Error(`the stand-in has no tenant ${tenant}`)
    return keys[keys.length - 1] as TestKey
  }

  rotateTenantKey(tenant: string): TestKey {
    const keys = this.#keysOf(tenant)
    if (!keys) throw new Error(`the stand-in has no tenant ${tenant}`)
    const key = generateTestKey('RS256')
    keys.push(key)
    return key
  }

  /** A known tenant's keys, making its first key on first use; undefined for an unknown tenant. */
  #keysOf(tenant: string): TestKey[] | undefined {
    const keys = this.#tenantKeys.get(tenant)
    if (keys && keys.length === 0) keys.push(generateTestKey('RS256'))
    return keys
  }

  #service(): TestKey {
    this.#serviceKey ??= generateTestKey('RS256')
    return this.#serviceKey
  }

  mintProjectToken(tenant: string, options: MintProjectTokenOptions = {}): string {
    const key = options.key ?? this.tenantKey(tenant)
    const type = options.type ?? 'project'
    const tokenId = options.tokenId ?? randomUUID()
    const project = [...this.#projects.values()].find((candidate) => candidate.projectUuid === tenant)
    const now = Math.floor(Date.now() / 1000)
    const payload = mergeDroppingUndefined(
      {
        type,
        tenant_id: tenant,
        project_uuid: tenant,
        token_id: tokenId,
        scopes: [...(options.scopes ?? [])],
        enabled_services: [...(options.enabledServices ?? project?.enabledServices ?? [])],
        secret_version: options.secretVersion ?? 0,
        iss: this.url,
        iat: now,
        nbf: now,
        exp: now + (options.expiresIn ?? 300),
      },
      options.claims,
    )
    this.#live.add(`${type}_token:${tokenId}`)
    return buildCompactJws({ alg: key.alg, typ: 'JWT', kid: key.kid }, payload, { key })
  }

  mintServiceToken(options: MintServiceTokenOptions = {}): string {
    const first = [...this.#services.values()][0]
    const clientId = options.clientId ?? first?.clientId ?? 'test-service'
    const now = Math.floor(Date.now() / 1000)
    const payload = mergeDroppingUndefined(
      {
        type: 'service',
        client_id: clientId,
        service_name: options.serviceName ?? this.#services.get(clientId)?.serviceName ?? clientId,
        scope: options.scope ?? 'services:read',
        jti: randomUUID(),
        iss: this.url,
        iat: now,
        nbf: now,
        exp: now + (options.expiresIn ?? 300),
      },
      options.claims,
    )
    const key = this.#service()
    const token = buildCompactJws({ alg: key.alg, typ: 'JWT', kid: key.kid }, payload, { key })
    this.#issuedServiceTokens.add(token)
    return token
  }

  close(): Promise<void> {
    return this.#http().close()
  }

  #http(): StandInHttpServer {
    if (!this.#server) throw new Error('the stand-in is not listening yet')
    return this.#server
  }

  #count(pathname: string): void {
    if (pathname === '/auth') this.#counts.auth++
    else if (pathname === '/graphql') this.#counts.graphql++
    else if (pathname === '/auth/service/.well-known/jwks.json') this.#counts.serviceJwks++
    else {
      const tenant = tenantOf(pathname)
      if (tenant === undefined) this.#counts.other++
      else {
        this.#counts.tenantJwks++
        this.#jwksByTenant.set(tenant, (this.#jwksByTenant.get(tenant) ?? 0) + 1)
      }
    }
  }

  #route(request: StandInRequest): StandInReply {
    const { method, pathname } = request
    if (pathname === '/auth' && method === 'GET') return this.#auth(request)
    if (pathname === '/graphql' && method === 'POST') return this.#graphql(request)
    if (method !== 'GET') return { status: 405, body: { message: 'Method not allowed' } }
    if (pathname === '/auth/service/.well-known/jwks.json') {
      return { status: 200, body: { keys: [this.#service().publicJwk] } }
    }
    const tenant = tenantOf(pathname)
    const keys = tenant === undefined ? undefined : this.#keysOf(tenant)
    if (!keys) return { status: 404, body: { message: 'Not found' } }
    return { status: 200, body: { keys: keys.map((key) => key.publicJwk) } }
  }

  /** Mercury's signature check: X-Timestamp in ms within the tolerance, X-Signature over METHOD+path+timestamp. */
  #signatureProblem(request: StandInRequest): 'bad_signature' | 'stale_timestamp' | undefined {
    const timestamp = header(request, 'x-timestamp')
    const signature = header(request, 'x-signature')
    if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return 'bad_signature'
    const tolerance = this.#options.timestampToleranceMs ?? 300_000
    if (Math.abs(Date.now() - Number(timestamp)) > tolerance) return 'stale_timestamp'
    const expected = createHmac('sha256', this.#options.signingSecret)
      .update(`${request.method}${request.pathname}${timestamp}`)
      .digest()
    const given = Buffer.from(signature, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'bad_signature'
  }

  #auth(request: StandInRequest): StandInReply {
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header(request, 'authorization') ?? '')
    const decoded = basic ? Buffer.from(basic[1] as string, 'base64').toString('utf8') : ''
    const first = decoded.indexOf(':')
    const last = decoded.lastIndexOf(':')
    const appId = first === -1 ? decoded : decoded.slice(0, first)
    const hasService = last > first
    const secret = first === -1 ? '' : decoded.slice(first + 1, hasService ? last : undefined)
    const serviceId = hasService ? decoded.slice(last + 1) : undefined
    const record = (outcome: MercuryAuthCall['outcome']) => this.#calls.push({ appId, serviceId, outcome })

    const problem = this.#signatureProblem(request)
    if (problem) {
      record(problem)
      const message = problem === 'stale_timestamp' ? 'Request timestamp expired' : 'Invalid signature'
      return { status: 401, body: { message } }
    }
    const project = this.#projects.get(appId)
    if (!project) {
      record('unknown_app')
      return { status: 404, body: { message: 'Project not found' } }
    }
    const given = Buffer.from(secret)
    const expected = Buffer.from(project.appSecret)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      record('wrong_secret')
      return { status: 401, body: { message: 'Invalid credentials' } }
    }
    if (project.enabled === false) {
      record('disabled')
      return { status: 401, body: { message: 'Project is disabled' } }
    }
    if (
      project.enabledServices &&
      (serviceId === undefined || !project.enabledServices.includes(serviceId))
    ) {
      record('service')
      return { status: 403, body: { message: 'Service not enabled for this project' } }
    }
    record('ok')
    return {
      status: 200,
      body: {
        projectUuid: project.projectUuid,
        projectName: project.projectName ?? project.appId,
        ...project.answerExtras,
      },
    }
  }

  #graphql(request: StandInRequest): StandInReply {
    const problem = this.#signatureProblem(request)
    if (problem) {
      return {
        status: 401,
        body: { message: problem === 'stale_timestamp' ? 'Request timestamp expired' : 'Invalid signature' },
      }
    }
    let operation: { query?: unknown; variables?: { input?: Record<string, unknown> } }
    try {
      operation = JSON.parse(request.body)
    } catch {
      return { status: 400, body: { errors: [{ message: 'Body is not JSON' }] } }
    }
    const query = typeof operation.query === 'string' ? operation.query : ''
    const input = operation.variables?.input ?? {}
    if (query.includes('generateServiceToken')) {
      const service = this.#services.get(String(input.client_id))
      if (!service || service.clientSecret !== input.client_secret) {
        return { status: 200, body: { errors: [{ message: 'Invalid client credentials' }] } }
      }
      const token = this.mintServiceToken({
        clientId: service.clientId,
        scope: typeof input.scope === 'string' ? input.scope : 'services:read',
        expiresIn: 3600,
      })
      const answer = {
        access_token: token,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: input.scope ?? null,
      }
      return { status: 200, body: { data: { generateServiceToken: answer } } }
    }
    if (query.includes('getRegisteredServiceByClientId')) {
      const token = (header(request, 'x-project-token') ?? '').replace(/^Bearer /, '')
      if (!this.#issuedServiceTokens.has(token)) {
        return { status: 200, body: { errors: [{ message: 'Unauthorized' }] } }
      }
      const service = this.#services.get(String(input.client_id))
      if (!service) return { status: 200, body: { errors: [{ message: 'Service not found' }] } }
      return { status: 200, body: { data: { getRegisteredServiceByClientId: { uuid: service.serviceId } } } }
    }
    return { status: 200, body: { errors: [{ message: 'Unknown operation' }] } }
  }
}

function header(request: StandInRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const TENANT_JWKS = /^\/auth\/projects\/([^/]+)\/\.well-known\/jwks\.json$/

function tenantOf(pathname: string): string | undefined {
  const match = TENANT_JWKS.exec(pathname)
  if (!match) return undefined
  try {
    return decodeURIComponent(match[1] as string)
  } catch {
    return match[1]
  }
}
