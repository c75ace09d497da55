/**
 * The demo's published credentials, matching `data/`: the users file holds only scrypt hashes of these
 * passwords, the API key files only SHA-256 digests, and the registry only HMACs of the project secrets.
 * They are shown in the tour and on the playground because this is a demo; never do that with real ones.
 */
export const DEMO_USERS = [
  { email: 'ada@demo.test', password: 'lovelace-demo', name: 'Ada Lovelace' },
  { email: 'grace@demo.test', password: 'hopper-demo', name: 'Grace Hopper' },
] as const

export const DEMO_PROJECT = {
  uuid: 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f',
  name: 'Analytical Engine',
  appId: 'analytical-engine',
  appSecret: 'demo-secret-analytical-engine',
} as const

/** Registered, but without this demo's service enabled: its credentials get 403. */
export const OTHER_PROJECT = {
  uuid: '0f3e5d7c-9b1a-4c2e-8d6f-4a2c6e8b0d15',
  name: 'Difference Engine',
  appId: 'difference-engine',
  appSecret: 'demo-secret-difference-engine',
} as const

export const DEMO_API_KEY = 'pcd.reporting-bot.kx7Qm2vR9pL4tW8zN3cF6hJ1'
/** Its dynamic claim calls a CRM that answers too late. */
export const SLOW_CRM_API_KEY = 'pcd.broken-crm.Yt5uB8nE2wQ7rZ4mK9pS3vL6'
