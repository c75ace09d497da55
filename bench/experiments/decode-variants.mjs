// Scratch: core's decodeJws (copied) vs variants, on the same RS512 tokens. CPU time, interleaved, median of rounds.
import { startTestIssuer } from '@portcullis/testing'
import { mintTokens } from '../dist/lib/tokens.js'

const alg = process.argv[2] ?? 'RS512'
const issuer = await startTestIssuer({ algs: [alg] })
const tokens = await mintTokens(issuer.key(alg), 1024, { issuer: issuer.url, audience: 'https://api.test' })
await issuer.close()
const BASE64URL = /^[A-Za-z0-9_-]+$/
const isBase64url = (s) => s.length % 4 !== 1 && BASE64URL.test(s)
function checkHeader(h) {
  if (typeof h.alg !== 'string' || h.alg.length === 0) throw new Error('alg')
  if (h.alg.toLowerCase() === 'none') throw new Error('none')
  if (h.kid !== undefined && (typeof h.kid !== 'string' || h.kid.length === 0 || h.kid.length > 256))
    throw new Error('kid')
  if (h.typ !== undefined && typeof h.typ !== 'string') throw new Error('typ')
  if (h.crit !== undefined || h.b64 !== undefined || h.enc !== undefined || h.zip !== undefined)
    throw new Error('ext')
}
function parseJsonObject(segment) {
  const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not object')
  return value
}
// V0: as in packages/core/src/jwt/decode.ts
function decodeV0(token) {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first <= 0 || second < 0) throw new Error('x')
  if (token.indexOf('.', second + 1) !== -1) throw new Error('jwe')
  const headerPart = token.slice(0, first),
    payloadPart = token.slice(first + 1, second),
    signaturePart = token.slice(second + 1)
  if (!isBase64url(headerPart) || !isBase64url(payloadPart) || !isBase64url(signaturePart))
    throw new Error('b64')
  const header = parseJsonObject(headerPart)
  checkHeader(header)
  const payload = parseJsonObject(payloadPart)
  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature: Buffer.from(signaturePart, 'base64url'),
  }
}
// V1: V0 + a small cache of parsed, checked headers keyed by the header segment (tokens of one key share it).
const headers = new Map()
function headerOf(headerPart) {
  let header = headers.get(headerPart)
  if (header === undefined) {
    header = Object.freeze(parseJsonObject(headerPart))
    checkHeader(header)
    if (headers.size >= 64) headers.clear()
    headers.set(headerPart, header)
  }
  return header
}
function decodeV1(token) {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first <= 0 || second < 0) throw new Error('x')
  if (token.indexOf('.', second + 1) !== -1) throw new Error('jwe')
  const headerPart = token.slice(0, first),
    payloadPart = token.slice(first + 1, second),
    signaturePart = token.slice(second + 1)
  if (!isBase64url(headerPart) || !isBase64url(payloadPart) || !isBase64url(signaturePart))
    throw new Error('b64')
  const header = headerOf(headerPart)
  const payload = parseJsonObject(payloadPart)
  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature: Buffer.from(signaturePart, 'base64url'),
  }
}
// V2: V1 + one anchored scan of the whole compact form instead of three per-segment scans.
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
function decodeV2(token) {
  if (!COMPACT.test(token)) throw new Error('b64 or parts')
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first % 4 === 1 || (second - first - 1) % 4 === 1 || (token.length - second - 1) % 4 === 1)
    throw new Error('len')
  const header = headerOf(token.slice(0, first))
  const payload = parseJsonObject(token.slice(first + 1, second))
  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature: Buffer.from(token.slice(second + 1), 'base64url'),
  }
}
// Pieces of the payload parse, for attribution.
const payloadParts = tokens.map((t) => t.slice(t.indexOf('.') + 1, t.lastIndexOf('.')))
let i = 0
const next = () => {
  i = (i + 1) & 1023
  return i
}
const nx = next
const cases = {
  'V0 current decodeJws': () => decodeV0(tokens[nx()]),
  'V1 + header cache': () => decodeV1(tokens[nx()]),
  'V2 + single scan': () => decodeV2(tokens[nx()]),
  'payload: base64url decode': () => Buffer.from(payloadParts[nx()], 'base64url'),
  'payload: decode + utf8': () => Buffer.from(payloadParts[nx()], 'base64url').toString('utf8'),
  'payload: decode + utf8 + JSON.parse': () =>
    JSON.parse(Buffer.from(payloadParts[nx()], 'base64url').toString('utf8')),
  'three isBase64url scans': () => {
    const t = tokens[nx()]
    const a = t.indexOf('.'),
      b = t.lastIndexOf('.')
    return isBase64url(t.slice(0, a)) && isBase64url(t.slice(a + 1, b)) && isBase64url(t.slice(b + 1))
  },
}
for (const f of [decodeV0, decodeV1, decodeV2]) {
  const a = f(tokens[5]),
    b = decodeV0(tokens[5])
  if (
    JSON.stringify([a.header, a.payload]) !== JSON.stringify([b.header, b.payload]) ||
    !a.signature.equals(b.signature) ||
    !a.signingInput.equals(b.signingInput)
  )
    throw new Error('variant differs')
}
const cpu = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < 9; r++)
  for (const [name, fn] of Object.entries(cases)) {
    const n = 50000
    for (let k = 0; k < 2000; k++) fn()
    const t = cpu()
    for (let k = 0; k < n; k++) fn()
    res[name].push(((cpu() - t) * 1000) / n)
  }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
console.log(alg, 'token length', tokens[0].length)
for (const [name, v] of Object.entries(res))
  console.log(' ', name.padEnd(38), med(v).toFixed(0).padStart(6), 'ns')
