// Scratch: what does a Map lookup keyed by a fresh ~700-char token string cost, and what do shorter keys cost?
import { randomBytes } from 'node:crypto'

const N = 1024
const tokens = Array.from(
  { length: N },
  () =>
    `eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYyJ9.${randomBytes(230).toString('base64url')}.${randomBytes(256).toString('base64url')}`,
)
const headers = tokens.map((t) => `Bearer ${t}`)
const full = new Map(),
  bySig = new Map(),
  byTail = new Map(),
  empty = new Map()
for (const t of tokens) {
  const v = { token: t }
  full.set(t, v)
  bySig.set(t.slice(t.lastIndexOf('.') + 1), v)
  byTail.set(t.slice(-43), v)
}
let i = 0
const next = () => {
  i = (i + 1) & 1023
  return i
}
const fresh = () => headers[next()].slice(7)
const cases = {
  'fresh slice only': () => fresh().length,
  'Map miss (hash only)': () => empty.get(fresh()),
  'Map hit, key = whole token': () => full.get(fresh()),
  'Map hit, key = signature + compare': () => {
    const t = fresh()
    const v = bySig.get(t.slice(t.lastIndexOf('.') + 1))
    return v !== undefined && v.token === t
  },
  'Map hit, key = last 43 chars + compare': () => {
    const t = fresh()
    const v = byTail.get(t.slice(-43))
    return v !== undefined && v.token === t
  },
}
const cpu = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < 7; r++)
  for (const [name, fn] of Object.entries(cases)) {
    const n = 300000
    for (let k = 0; k < 10000; k++) fn()
    const t = cpu()
    for (let k = 0; k < n; k++) fn()
    res[name].push(((cpu() - t) * 1000) / n)
  }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
for (const [name, v] of Object.entries(res)) console.log(name.padEnd(40), med(v).toFixed(0).padStart(5), 'ns')
