/** The JWS algorithms a test key can sign with. */
export type TestAlg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'

/** Every supported algorithm, handy for `it.each` over all of them. */
export const TEST_ALGS: readonly TestAlg[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

export function isTestAlg(value: unknown): value is TestAlg {
  return typeof value === 'string' && (TEST_ALGS as readonly string[]).includes(value)
}

/** The node:crypto digest behind an algorithm; EdDSA hashes internally, so it has none. */
export function digestOf(alg: TestAlg): 'sha256' | 'sha384' | 'sha512' | null {
  if (alg === 'EdDSA') return null
  const bits = alg.slice(2)
  return bits === '256' ? 'sha256' : bits === '384' ? 'sha384' : 'sha512'
}

/** The byte length of an algorithm's digest, which RFC 7518 uses as the RSA-PSS salt length. */
export function digestLengthOf(alg: TestAlg): number {
  return Number(alg.slice(2)) / 8
}
