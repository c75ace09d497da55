import { describe, expect, it } from 'vitest'
import {
  CURVE_ORDER,
  fromBytes,
  SIGNATURE_BYTES,
  segments,
  toFixedBytes,
  useTarget,
  verdictFor,
} from './support.js'

// Signature attacks: RFC 7515 §5.2 (validation), RFC 7518 §3.3–3.5 (RSA, ECDSA R||S, PSS), RFC 8032 §5.1.7
// (Ed25519 verification), CVE-2022-21449 ("psychic signatures": r = s = 0), OWASP JWT cheat sheet
// (signature stripping).

const target = useTarget({ algs: ['RS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'PS256'] })
type EcAlg = 'ES256' | 'ES384' | 'ES512'

/** A genuine token's signing input with a signature of our choosing. */
async function withSignature(alg: EcAlg | 'EdDSA' | 'RS512', signature: Buffer): Promise<string> {
  const { issuer } = target()
  const [h, p] = segments(await issuer.sign({ sub: 'mallory', scope: 'admin' }, { alg }))
  return `${h}.${p}.${signature.toString('base64url')}`
}

async function genuineRS(alg: EcAlg): Promise<{ r: bigint; s: bigint; token: string }> {
  const { issuer } = target()
  const token = await issuer.sign({ sub: 'alice' }, { alg })
  const sig = Buffer.from(segments(token)[2], 'base64url')
  const half = sig.length / 2
  return { r: fromBytes(sig.subarray(0, half)), s: fromBytes(sig.subarray(half)), token }
}

function rs(alg: EcAlg, r: bigint, s: bigint): Buffer {
  const half = SIGNATURE_BYTES[alg] / 2
  return Buffer.concat([toFixedBytes(r, half), toFixedBytes(s, half)])
}

describe('stripped, truncated, extended and transplanted signatures — RFC 7515 §5.2, OWASP', () => {
  it('refuses a token whose signature was stripped (header.payload.)', async () => {
    const { issuer, auth } = target()
    const [h, p] = segments(await issuer.sign())
    expect(await verdictFor(auth, `${h}.${p}.`)).toBe('token_malformed')
  })

  it('refuses a token with the signature segment and its dot removed', async () => {
    const { issuer, auth } = target()
    const [h, p] = segments(await issuer.sign())
    expect(await verdictFor(auth, `${h}.${p}`)).toBe('token_malformed')
  })

  it('refuses a truncated RSA signature', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign())
    expect(await verdictFor(auth, `${h}.${p}.${s.slice(0, 170)}`)).toBe('token_signature_invalid')
  })

  it('refuses an RSA signature extended with trailing bytes', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign())
    const sig = Buffer.concat([Buffer.from(s, 'base64url'), Buffer.from([0, 0, 0])])
    expect(await verdictFor(auth, `${h}.${p}.${sig.toString('base64url')}`)).toBe('token_signature_invalid')
  })

  it('refuses an RSA signature with a leading zero byte (longer than the modulus, RFC 8017 §8.2.2)', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign())
    const sig = Buffer.concat([Buffer.from([0]), Buffer.from(s, 'base64url')])
    expect(await verdictFor(auth, `${h}.${p}.${sig.toString('base64url')}`)).toBe('token_signature_invalid')
  })

  it.each([
    ['all zeros', 0],
    ['all ones', 0xff],
  ])('refuses an RSA signature of %s', async (_name, fill) => {
    const token = await withSignature('RS512', Buffer.alloc(256, fill))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })

  it('refuses a genuine signature transplanted onto another payload', async () => {
    const { issuer, auth } = target()
    const [h, p] = segments(await issuer.sign({ sub: 'mallory', scope: 'admin' }))
    const [, , s] = segments(await issuer.sign({ sub: 'mallory' }))
    expect(await verdictFor(auth, `${h}.${p}.${s}`)).toBe('token_signature_invalid')
  })

  it('refuses a payload re-encoded with an escalated scope under the original signature', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign({ scope: 'read' }))
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const escalated = Buffer.from(JSON.stringify({ ...claims, scope: 'read admin' })).toString('base64url')
    expect(await verdictFor(auth, `${h}.${escalated}.${s}`)).toBe('token_signature_invalid')
  })

  it('refuses a header re-encoded (same meaning, different bytes) under the original signature', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign())
    const header = JSON.parse(Buffer.from(h, 'base64url').toString())
    const reencoded = Buffer.from(JSON.stringify(header, null, 1)).toString('base64url')
    expect(await verdictFor(auth, `${reencoded}.${p}.${s}`)).toBe('token_signature_invalid')
  })

  it('refuses an RS512 token re-labelled PS512 over the same key (padding confusion, RFC 7518 §3.5)', async () => {
    const { issuer, auth } = target()
    const [h, p, s] = segments(await issuer.sign())
    const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'PS512' }
    const relabelled = Buffer.from(JSON.stringify(header)).toString('base64url')
    expect(await verdictFor(auth, `${relabelled}.${p}.${s}`)).toMatch(
      /^token_(key_unknown|signature_invalid)$/,
    )
  })
})

describe('ECDSA — CVE-2022-21449 psychic signatures, RFC 7518 §3.4, SEC 1 §4.1.4 (r, s in [1, n−1])', () => {
  it.each(['ES256', 'ES384', 'ES512'] as const)('refuses r = s = 0 for %s', async (alg) => {
    const token = await withSignature(alg, Buffer.alloc(SIGNATURE_BYTES[alg]))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })

  it.each(['ES256', 'ES384'] as const)('refuses r = s = n (the curve order) for %s', async (alg) => {
    const n = CURVE_ORDER[alg]
    const token = await withSignature(alg, rs(alg, n, n))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })

  it('refuses r = 0 with a genuine s (ES256)', async () => {
    const { s, token } = await genuineRS('ES256')
    const [h, p] = segments(token)
    const forged = `${h}.${p}.${rs('ES256', 0n, s).toString('base64url')}`
    expect(await verdictFor(target().auth, forged)).toBe('token_signature_invalid')
  })

  it('refuses a genuine r with s = 0 (ES256)', async () => {
    const { r, token } = await genuineRS('ES256')
    const [h, p] = segments(token)
    const forged = `${h}.${p}.${rs('ES256', r, 0n).toString('base64url')}`
    expect(await verdictFor(target().auth, forged)).toBe('token_signature_invalid')
  })

  it('refuses r and s shifted by the order (r + n, s + n do not reduce to a valid signature)', async () => {
    const { r, s, token } = await genuineRS('ES256')
    const n = CURVE_ORDER.ES256
    const max = (1n << 256n) - 1n
    const [h, p] = segments(token)
    // Only values that still fit 32 bytes can be encoded; r = 1, s = n + 1 always fits and is out of range.
    const r2 = r + n <= max ? r + n : 1n
    const s2 = s + n <= max ? s + n : n + 1n
    const forged = `${h}.${p}.${rs('ES256', r2, s2).toString('base64url')}`
    expect(await verdictFor(target().auth, forged)).toBe('token_signature_invalid')
  })

  it('refuses r = s = 1 (the smallest in-range values, never a real signature)', async () => {
    const token = await withSignature('ES256', rs('ES256', 1n, 1n))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })

  it('refuses a DER-encoded ECDSA signature (RFC 7518 §3.4 requires raw R||S)', async () => {
    const { r, s, token } = await genuineRS('ES256')
    const int = (v: bigint) => {
      let bytes = toFixedBytes(v, 32)
      while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] as number) < 0x80) bytes = bytes.subarray(1)
      if ((bytes[0] as number) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
      return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes])
    }
    const body = Buffer.concat([int(r), int(s)])
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body])
    const [h, p] = segments(token)
    expect(await verdictFor(target().auth, `${h}.${p}.${der.toString('base64url')}`)).toBe(
      'token_signature_invalid',
    )
  })

  it.each([63, 65, 128])('refuses an ES256 signature of %i bytes', async (length) => {
    const { token } = await genuineRS('ES256')
    const sig = Buffer.from(segments(token)[2], 'base64url')
    const resized = Buffer.alloc(length)
    sig.copy(resized, 0, 0, Math.min(length, sig.length))
    const [h, p] = segments(token)
    expect(await verdictFor(target().auth, `${h}.${p}.${resized.toString('base64url')}`)).toBe(
      'token_signature_invalid',
    )
  })
})

describe('Ed25519 — RFC 8032 §5.1.7', () => {
  // L, the order of the base point, little-endian as Ed25519 encodes S.
  const L = (1n << 252n) + 27742317777372353535851937790883648493n

  it('refuses a signature whose S was replaced by S + L (non-canonical S, malleability)', async () => {
    const { issuer, auth } = target()
    const token = await issuer.sign({}, { alg: 'EdDSA' })
    const [h, p, s] = segments(token)
    const sig = Buffer.from(s, 'base64url')
    const S = fromBytes(Buffer.from(sig.subarray(32)).reverse())
    const bumped = Buffer.from(toFixedBytes(S + L, 32)).reverse()
    const forged = Buffer.concat([sig.subarray(0, 32), bumped])
    expect(await verdictFor(auth, `${h}.${p}.${forged.toString('base64url')}`)).toBe(
      'token_signature_invalid',
    )
  })

  it('refuses an all-zero Ed25519 signature', async () => {
    const token = await withSignature('EdDSA', Buffer.alloc(64))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })

  it('refuses an Ed25519 signature whose R is the identity point and S = 0', async () => {
    const identity = Buffer.alloc(32)
    identity[0] = 1
    const token = await withSignature('EdDSA', Buffer.concat([identity, Buffer.alloc(32)]))
    expect(await verdictFor(target().auth, token)).toBe('token_signature_invalid')
  })
})
