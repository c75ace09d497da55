import { type KeyObject, randomUUID, sign } from 'node:crypto'
import type { TestAlg, TestKey } from '@portcullis/testing'

const HASH: Record<string, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  EdDSA: null,
}

/** Signs on the libuv pool (the async form of crypto.sign), so minting thousands of RSA tokens uses both cores. */
function signAsync(alg: TestAlg, key: KeyObject, input: Buffer): Promise<Buffer> {
  const hash = HASH[alg]
  if (hash === undefined) throw new Error(`no signer for ${alg}`)
  const signingKey = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key
  return new Promise((resolve, reject) => {
    sign(hash, input, signingKey, (error, signature) => (error ? reject(error) : resolve(signature)))
  })
}

export interface MintOptions {
  issuer: string
  audience: string
  /** Lifetime in seconds; long enough to outlive the whole run. */
  expiresIn?: number
  claims?: (index: number) => Record<string, unknown>
}

/** `count` distinct tokens signed by `key`: one per user (`sub: user-N`), each with its own `jti`. */
export async function mintTokens(key: TestKey, count: number, options: MintOptions): Promise<string[]> {
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid })).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const tokens: string[] = new Array(count)
  const batch = 64
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch)
    const signed = []
    for (let i = start; i < end; i++) {
      const payload = {
        iss: options.issuer,
        aud: options.audience,
        sub: `user-${i}`,
        email: `user-${i}@example.test`,
        scope: 'read write',
        iat: now,
        exp: now + (options.expiresIn ?? 3600),
        jti: randomUUID(),
        ...options.claims?.(i),
      }
      const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
      signed.push(
        signAsync(key.alg, key.privateKey, Buffer.from(input)).then((signature) => {
          tokens[i] = `${input}.${signature.toString('base64url')}`
        }),
      )
    }
    await Promise.all(signed)
  }
  return tokens
}

/** The same token with one signature byte changed: well-formed, signed by nobody. */
export function tamper(token: string): string {
  const dot = token.lastIndexOf('.')
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  const middle = signature.length >> 1
  signature[middle] = (signature[middle] ?? 0) ^ 0x01
  return `${token.slice(0, dot)}.${signature.toString('base64url')}`
}

export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] as string
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}
