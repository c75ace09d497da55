import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { JwsAlgorithm } from '../src/jwt/algorithms.js'
import { checkSignature } from '../src/jwt/verify-token.js'
import { importVerificationJwk } from '../src/keys/import.js'

// Wycheproof vectors (C2SP, Apache-2.0), copied unchanged into test/fixtures/wycheproof (see its README).
const VECTORS = fileURLToPath(new URL('./fixtures/wycheproof/', import.meta.url))

interface Vector {
  tcId: number
  comment: string
  msg: string
  sig: string
  result: 'valid' | 'invalid' | 'acceptable'
  flags: string[]
}
interface Group {
  publicKeyPem: string
  publicKeyJwk?: Record<string, unknown>
  keyJwk?: Record<string, unknown>
  tests: Vector[]
}

const FILES: [string, JwsAlgorithm][] = [
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
  ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384'],
  ['ed25519_test.json', 'EdDSA'],
  ['rsa_signature_2048_sha256_test.json', 'RS256'],
  ['rsa_signature_2048_sha512_test.json', 'RS512'],
  ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256'],
]

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi']

describe('Wycheproof signature vectors through the token path verifier', () => {
  it.each(FILES)('%s (%s): every valid vector verifies, every invalid one fails', async (file, alg) => {
    const { testGroups } = JSON.parse(readFileSync(`${VECTORS}${file}`, 'utf8')) as { testGroups: Group[] }
    let valid = 0
    let invalid = 0
    const acceptable: Record<string, number> = { accepted: 0, refused: 0 }
    for (const group of testGroups) {
      // Some groups ship only PEM: node turns it into the JWK a key set would publish.
      const jwk = {
        ...(group.publicKeyJwk ??
          group.keyJwk ??
          createPublicKey(group.publicKeyPem).export({ format: 'jwk' })),
      }
      for (const member of PRIVATE_MEMBERS) delete jwk[member]
      // Imported exactly as a JWKS entry is. Pinning `alg` is the JWKS publisher's choice; the vectors don't pin.
      delete jwk.alg
      const imported = await importVerificationJwk(jwk)
      if (!('key' in imported)) throw new Error(`group key refused: ${imported.skipped}`)
      for (const vector of group.tests) {
        const ok = checkSignature(
          imported.key,
          alg,
          Buffer.from(vector.msg, 'hex'),
          Buffer.from(vector.sig, 'hex'),
        )
        if (vector.result === 'valid') {
          expect(ok, `tcId ${vector.tcId} (${vector.comment}) should verify`).toBe(true)
          valid++
        } else if (vector.result === 'invalid') {
          expect(ok, `tcId ${vector.tcId} (${vector.comment}) must not verify`).toBe(false)
          invalid++
        } else {
          acceptable[ok ? 'accepted' : 'refused'] = (acceptable[ok ? 'accepted' : 'refused'] ?? 0) + 1
        }
      }
    }
    // Every group's key must import: a skipped group would silently test nothing.
    expect(valid + invalid + (acceptable.accepted ?? 0) + (acceptable.refused ?? 0)).toBe(
      testGroups.reduce((sum, group) => sum + group.tests.length, 0),
    )
    expect(valid).toBeGreaterThan(0)
    expect(invalid).toBeGreaterThan(0)
  })
})
