// Scratch: current core vs patched copies, same tokens, interleaved slices, CPU time; ratios per round, median.
import { verify } from 'node:crypto'
import { startTestIssuer } from '@portcullis/testing'
import { mintTokens } from '../dist/lib/tokens.js'

const [alg, roundsArg, ...variants] = process.argv.slice(2)
const libs = { current: await import('@portcullis/core') }
for (const v of variants) libs[v] = await import(`../.results/core-copies/${v}/index.js`)
const rounds = Number(roundsArg)
const issuer = await startTestIssuer({ algs: [alg] })
const key = issuer.key(alg)
const tokens = await mintTokens(key, 1024, { issuer: issuer.url, audience: 'https://api.test' })
const inputs = tokens.map((t) => ({ headers: { authorization: `Bearer ${t}` } }))
const split = tokens.map((t) => {
  const d = t.lastIndexOf('.')
  return { input: Buffer.from(t.slice(0, d)), sig: Buffer.from(t.slice(d + 1), 'base64url') }
})
const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`
const fk = alg.startsWith('ES') ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey
const base = { audience: 'https://api.test', issuers: [{ issuer: issuer.url, jwksUri: issuer.jwksUri }] }
let i = 0
const next = () => {
  i = (i + 1) & 1023
  return i
}
const cases = { floor: () => verify(hash, split[next()].input, fk, split[i].sig) }
const auths = []
for (const [name, lib] of Object.entries(libs)) {
  const hit = lib.createAuth(base),
    miss = lib.createAuth({ ...base, tokenCache: { maxEntries: 1 } })
  await hit.ready()
  await miss.ready()
  auths.push(hit, miss)
  for (const inp of inputs) await hit.authenticate(inp)
  cases[`${name} hit`] = () => hit.authenticate(inputs[next()])
  cases[`${name} miss`] = () => miss.authenticate(inputs[next()])
}
const cpu = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < rounds; r++)
  for (const [name, fn] of Object.entries(cases)) {
    const n = name.endsWith('hit') ? 100000 : 3000
    for (let k = 0; k < 300; k++) await fn()
    const t = cpu()
    for (let k = 0; k < n; k++) await fn()
    res[name].push((cpu() - t) / n)
  }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
console.log(alg, `${rounds} rounds`)
for (const [name, v] of Object.entries(res))
  console.log(
    ' ',
    name.padEnd(26),
    med(v).toFixed(2).padStart(7),
    'µs',
    `${med(v.map((x, r) => x / res.floor[r])).toFixed(3)}× floor (per-round median)`,
  )
for (const a of auths) await a.close()
await issuer.close()
