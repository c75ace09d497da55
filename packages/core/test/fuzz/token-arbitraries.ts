import { createHmac } from 'node:crypto'
import type { TestIssuer, TestKey } from '@portcullis/testing'
import fc from 'fast-check'

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Characters a mutation may write: base64url, its neighbours in b64token and base64, and separators. */
const MUTATION_CHARS = `${B64URL}.+/=~ \t%\u00e9\u200b\u0000`

export const b64urlChar = fc.constantFrom(...B64URL)
/** RFC 6750 b64token characters. */
export const b64tokenChar = fc.constantFrom(...`${B64URL}.~+/=`)
export const b64urlString = (maxLength: number) => fc.string({ unit: b64urlChar, maxLength })

const encode = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Whether `candidate` carries exactly the signing input and signature bytes of one of `genuine`. */
export function sameSignedContent(candidate: string | undefined, genuine: readonly string[]): boolean {
  if (candidate === undefined) return false
  const parts = candidate.split('.')
  if (parts.length !== 3) return false
  return genuine.some((token) => {
    const [h, p, s] = token.split('.') as [string, string, string]
    return (
      parts[0] === h &&
      parts[1] === p &&
      Buffer.from(parts[2] as string, 'base64url').equals(Buffer.from(s, 'base64url'))
    )
  })
}

type Mutation = (token: string, genuine: readonly string[]) => string

const position = fc.nat({ max: 10_000 })
const at = (token: string, index: number) => (token.length === 0 ? 0 : index % (token.length + 1))

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, '9999999999', '', null, [], {}, ['admin'], { $ne: null }),
)

const headerEdits = fc.oneof(
  fc.record({
    alg: fc.oneof(fc.constantFrom('none', 'None', 'HS256', 'RS256', 'ES512', 'dir', ''), fc.string()),
  }),
  fc.record({ kid: fc.oneof(fc.string({ maxLength: 300 }), jsonish) }),
  fc.constantFrom(
    { jku: 'http://127.0.0.1:9/jwks.json' },
    { x5u: 'http://127.0.0.1:9/cert' },
    { jwk: { kty: 'oct', k: 'AAAA' } },
    { crit: ['b64'], b64: false },
    { b64: false },
    { zip: 'DEF' },
    { cty: 'JWT' },
    { enc: 'A256GCM' },
    { typ: ['JWT'] },
  ),
  fc.record({ alg: fc.constant(undefined) }),
)

const claimEdits = fc.dictionary(
  fc.constantFrom(
    'sub',
    'scope',
    'exp',
    'nbf',
    'iat',
    'aud',
    'iss',
    'jti',
    'email',
    'email_verified',
    '__proto__',
  ),
  jsonish,
  { minKeys: 1, maxKeys: 3 },
)

function reencode(segment: string, edit: Record<string, unknown>): string {
  let value: Record<string, unknown>
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    value = {}
  }
  return encode({ ...value, ...edit })
}

function withPart(token: string, index: number, replace: (part: string) => string): string {
  const parts = token.split('.')
  const i = index % Math.max(parts.length, 1)
  parts[i] = replace(parts[i] ?? '')
  return parts.join('.')
}

/** One random edit of a token string: character, segment, header or claim level. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(position, fc.constantFrom(...MUTATION_CHARS)).map(
    ([i, c]): Mutation =>
      (t) =>
        t.slice(0, at(t, i)) + c + t.slice(at(t, i) + 1),
  ),
  fc.tuple(position, fc.constantFrom(...MUTATION_CHARS)).map(
    ([i, c]): Mutation =>
      (t) =>
        t.slice(0, at(t, i)) + c + t.slice(at(t, i)),
  ),
  position.map(
    (i): Mutation =>
      (t) =>
        t.slice(0, at(t, i)) + t.slice(at(t, i) + 1),
  ),
  position.map(
    (i): Mutation =>
      (t) =>
        t.slice(0, at(t, i)),
  ),
  position.map(
    (i): Mutation =>
      (t) => {
        const c = t.charAt(at(t, i))
        const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()
        return t.slice(0, at(t, i)) + flipped + t.slice(at(t, i) + 1)
      },
  ),
  fc.nat({ max: 2 }).map(
    (i): Mutation =>
      (t) =>
        withPart(t, i, () => ''),
  ),
  fc.nat({ max: 2 }).map(
    (i): Mutation =>
      (t) =>
        withPart(t, i, (part) => `${part}.${part}`),
  ),
  fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })).map(
    ([i, j]): Mutation =>
      (t) => {
        const parts = t.split('.')
        const a = parts[i % parts.length] ?? ''
        parts[i % parts.length] = parts[j % parts.length] ?? ''
        parts[j % parts.length] = a
        return parts.join('.')
      },
  ),
  fc.nat().map(
    (n): Mutation =>
      (t, genuine) => {
        const donor = genuine[n % genuine.length] as string
        return withPart(t, 2, () => donor.split('.')[2] ?? '')
      },
  ),
  headerEdits.map(
    (edit): Mutation =>
      (t) =>
        withPart(t, 0, (h) => reencode(h, edit)),
  ),
  claimEdits.map(
    (edit): Mutation =>
      (t) =>
        withPart(t, 1, (p) => reencode(p, edit)),
  ),
  fc.uint8Array({ maxLength: 600 }).map(
    (bytes): Mutation =>
      (t) =>
        withPart(t, 2, () => Buffer.from(bytes).toString('base64url')),
  ),
)

/** A genuine token put through one to four random mutations. */
export function mutatedToken(genuine: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...genuine), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([token, edits]) => edits.reduce((current, edit) => edit(current, genuine), token))
}

/** How an Authorization value may frame a token: scheme casing, spaces, other schemes, junk around it. */
export function framed(token: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', 'Bearer', 'Basic ', 'Bearer\t', '', 'Bearer  '),
      token,
      fc.constantFrom('', ' ', '  ', ',', ', Bearer x', '\t'),
    )
    .map(([scheme, value, tail]) => `${scheme}${value}${tail}`)
}

/** Secrets and keys an attacker might sign with, given the issuer's published (public) material. */
export interface ForgeryKit {
  issuer: TestIssuer
  attackerKeys: readonly TestKey[]
  genuine: readonly string[]
}

/** Tokens built from scratch by an attacker: never validly signed by a trusted key. */
export function forgedToken(kit: ForgeryKit): fc.Arbitrary<string> {
  const { issuer, attackerKeys, genuine } = kit
  const published = issuer.keys
  const alg = fc.oneof(
    fc.constantFrom(
      'none',
      'None',
      'NONE',
      'nOnE',
      'HS256',
      'HS384',
      'HS512',
      'RS256',
      'RS512',
      'PS256',
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'Ed25519',
    ),
    fc.string({ maxLength: 12 }),
  )
  const kid = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(...published.map((key) => key.kid)),
    fc.string({ maxLength: 40 }),
    jsonish,
  )
  const header = fc
    .tuple(alg, kid, fc.option(headerEdits, { nil: undefined }))
    .map(([a, k, extra]) => ({ alg: a, ...(k !== undefined && { kid: k }), ...extra }))
  const payload = fc
    .tuple(
      fc.constantFrom(issuer.url, `${issuer.url}/`, 'https://evil.test'),
      fc.oneof(fc.constant(Math.floor(Date.now() / 1000) + 3600), jsonish),
      fc.option(claimEdits, { nil: undefined }),
    )
    .map(([iss, exp, extra]) => ({
      iss,
      aud: 'https://api.test',
      sub: 'mallory',
      exp,
      scope: 'admin',
      ...extra,
    }))
  const pems = published.map((key) => key.publicPem)
  const jwks = published.map((key) => JSON.stringify(key.publicJwk))
  const signer = fc.oneof(
    fc.constant({ kind: 'empty' as const }),
    fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
    fc.constantFrom(...pems, ...jwks).map((secret) => ({ kind: 'hmac' as const, secret })),
    fc.constantFrom(...attackerKeys).map((key) => ({ kind: 'attacker' as const, key })),
    fc.nat().map((n) => ({ kind: 'transplant' as const, from: genuine[n % genuine.length] as string })),
  )
  return fc.tuple(header, payload, signer).map(([h, p, s]) => {
    const input = `${encode(h)}.${encode(p)}`
    switch (s.kind) {
      case 'empty':
        return `${input}.`
      case 'bytes':
        return `${input}.${Buffer.from(s.bytes).toString('base64url')}`
      case 'hmac': {
        const hash =
          typeof h.alg === 'string' && /^HS(384|512)$/.test(h.alg) ? `sha${h.alg.slice(2)}` : 'sha256'
        return `${input}.${createHmac(hash, s.secret).update(input).digest('base64url')}`
      }
      case 'attacker':
        return issuer.signRaw(h, p, { key: s.key })
      default:
        return `${input}.${s.from.split('.')[2]}`
    }
  })
}

/** A value as an HTTP client can send it: characters outside field-content become '%'. */
export function onTheWire(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return value.map((text) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '%'))
}

/** Valid HTTP header names (RFC 9110 §5.1 tokens), biased to the ones Portcullis reads. */
export const headerName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'authorization',
      'x-app-id',
      'x-app-secret',
      'x-project-token',
      'x-service-id',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x-timestamp', 'x-signature', 'x-forwarded-for', 'cookie', 'forwarded'),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/) },
)

/** Header values an HTTP client can put on the wire (visible ASCII, space, tab, obs-text). */
export const wireValue = fc.string({
  unit: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\u00e9', '\u00ff') },
  ),
  maxLength: 200,
})
