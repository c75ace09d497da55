import { fileURLToPath } from 'node:url'

/** Everything the demo reads from the environment, resolved once at start. */
export interface DemoConfig {
  /** Every server listens on this loopback address only. */
  host: string
  ports: { issuer: number; express: number; nest: number; graphql: number }
  /** `users.yaml`, `projects.yaml`, `api-keys/*.yaml`. */
  dataDir: string
  /** `SIGNATURE_SHARED_SECRET`: keys project-secret HMACs and the signed `/auth` lookups. */
  signingSecret: string
  /** Guards `/admin/*` (create projects, rotate keys, revoke a subject or a project). */
  adminKey: string
  /** `REDIS_URL`: Portcullis caches and revocations shared through Redis; otherwise in-process. */
  redisUrl: string | undefined
  /** The id this demo's APIs present to the registry (`SERVICE_ID`); projects must enable it. */
  serviceId: string
  /** `aud` of every access token, and what the APIs accept. */
  audience: string
  accessTokenTtlSec: number
  refreshTokenTtlSec: number
  /** Rotate the signing key this often (0: only on `POST /admin/keys/rotate`). */
  keyRotationSec: number
}

const DEFAULT_BASE_PORT = 4400

/** Reads the environment. `DEMO_PORT=0` gives every server a free port (tests do that). */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const base = integer(env.DEMO_PORT, DEFAULT_BASE_PORT, 'DEMO_PORT')
  const port = (offset: number) => (base === 0 ? 0 : base + offset)
  return {
    host: '127.0.0.1',
    ports: { issuer: port(0), express: port(1), nest: port(2), graphql: port(3) },
    dataDir: env.DEMO_DATA_DIR ?? fileURLToPath(new URL('../data/', import.meta.url)),
    // A demo default so `pnpm demo` needs no setup; a real deployment sets its own.
    signingSecret: env.SIGNATURE_SHARED_SECRET || 'portcullis-demo-signature-secret',
    adminKey: env.DEMO_ADMIN_KEY || 'demo-admin-key',
    redisUrl: env.REDIS_URL || undefined,
    serviceId: env.SERVICE_ID || 'portcullis-demo-api',
    audience: 'portcullis-demo',
    accessTokenTtlSec: integer(env.ACCESS_TOKEN_TTL, 900, 'ACCESS_TOKEN_TTL'),
    refreshTokenTtlSec: integer(env.REFRESH_TOKEN_TTL, 7 * 24 * 3600, 'REFRESH_TOKEN_TTL'),
    keyRotationSec: integer(env.KEY_ROTATION_SEC, 0, 'KEY_ROTATION_SEC'),
  }
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, not "${value}"`)
  return parsed
}
