/**
 * Every algorithm a test key can sign with, handy for `it.each` over all of them. Spelled out here rather than
 * imported from @portcullis/core: the test issuer stays independent of the code it tests.
 */
export const TEST_ALGS = [
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
] as const

/** The JWS algorithms a test key can sign with. */
export type TestAlg = (typeof TEST_ALGS)[number]

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
