import { generateKeyPair, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import type { JWK } from 'jose'
import type { TestAlg } from './algorithms.js'

/** A signing key pair plus the forms tests usually need: the published JWK and a PEM. */
export interface TestKey {
  kid: string
  alg: TestAlg
  /** Public JWK as published in the JWKS, with `kid`, `alg` and `use: 'sig'`. */
  publicJwk: JWK
  privateKey: KeyObject
  publicKey: KeyObject
  /** SPKI PEM of the public key, e.g. as an HMAC secret in algorithm-confusion tests. */
  publicPem: string
}

export interface GenerateTestKeyOptions {
  /** RSA modulus length in bits (RS* and PS* only). Default 2048. */
  modulusLength?: number
  /** Key id. Default: a random short string. */
  kid?: string
}

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject }

const generateKeyPairAsync = promisify(generateKeyPair)

/** Creates a fresh key pair for `alg`: RSA for RS and PS, P-256/384/521 for ES, Ed25519 for EdDSA. */
export function generateTestKey(alg: TestAlg, options: GenerateTestKeyOptions = {}): TestKey {
  const modulusLength = options.modulusLength ?? 2048
  const pair: KeyPair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: curveOf(alg) })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength })
  return toTestKey(alg, pair, options.kid)
}

/**
 * Same as generateTestKey but off the main thread, so an issuer's start-up keys are made in
 * parallel on the libuv pool instead of one RSA key after another.
 */
export async function generateTestKeyInBackground(
  alg: TestAlg,
  options: GenerateTestKeyOptions = {},
): Promise<TestKey> {
  const modulusLength = options.modulusLength ?? 2048
  const pair: KeyPair = alg.startsWith('ES')
    ? await generateKeyPairAsync('ec', { namedCurve: curveOf(alg) })
    : alg === 'EdDSA'
      ? await generateKeyPairAsync('ed25519')
      : await generateKeyPairAsync('rsa', { modulusLength })
  return toTestKey(alg, pair, options.kid)
}

function curveOf(alg: TestAlg): string {
  return alg === 'ES256' ? 'P-256' : alg === 'ES384' ? 'P-384' : 'P-521'
}

function toTestKey(alg: TestAlg, { publicKey, privateKey }: KeyPair, kid = randomKid()): TestKey {
  const jwk = publicKey.export({ format: 'jwk' }) as JWK
  return {
    kid,
    alg,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

function randomKid(): string {
  return randomBytes(6).toString('base64url')
}
