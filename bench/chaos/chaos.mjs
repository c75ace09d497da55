#!/usr/bin/env node
// Chaos under load (issue 10): autocannon drives an Express app guarded by Portcullis (Redis-backed revocation)
// while Redis is killed and restarted, the issuer rotates keys and goes down and comes back, and revocations are
// issued from a second instance. Everything listens on 127.0.0.1; the run is bounded (about 40 s, hard stop 60 s).
//
//   pnpm build && node bench/chaos/chaos.mjs            (needs redis-server on the PATH)
//   node bench/chaos/chaos.mjs --json result.json       also write the figures as JSON
//
// It asserts, and prints: no 5xx a client caused (no 500 at all; a 503 only for genuine tokens, only while the
// failure policy says so), no revoked token accepted after the propagation bound, requests during the Redis
// outage answered per the policy (from memory up to maxStaleMs, then 503 with `onRedisDown: 'closed'`), full
// recovery within 2 s of Redis returning, and tokens of rotated keys accepted once the issuer can be reached.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createAuth, isAuthError } from '@portcullis/core'
import { portcullis, sendAuthError } from '@portcullis/express'
import { generateTestKey, startRedisServer, startTestIssuer } from '@portcullis/testing'
import express from 'express'

const { values: args } = parseArgs({
  options: { json: { type: 'string' }, verbose: { type: 'boolean', default: false } },
})

const AUDIENCE = 'https://chaos.test'
const SETTINGS = {
  loadSec: 36,
  connections: 32,
  /** redis.maxStaleMs: how long the in-process revocation view is trusted with Redis down. */
  maxStaleMs: 3000,
  /** Revocation from another instance must reach this one within this bound (README: a few ms; tests: 100 ms). */
  propagationBoundMs: 250,
  /** After Redis returns, genuine tokens must be served again within this bound. */
  recoveryBoundMs: 2000,
  /** Revocations queued while Redis was down: Redis return + reconnect back-off cap (2 s) + propagation. */
  queuedBoundMs: 2500,
  /** Tokens of a new key: accepted within cooldown (1 s) + fetch once the issuer is reachable. */
  rotationBoundMs: 2000,
  /** Margin around the policy's switch points, for requests in flight when the state changed. */
  slackMs: 300,
  hardDeadlineMs: 60_000,
}
// Seconds after the load starts.
const TIMELINE = {
  revokeA: 3,
  rotate1: 6,
  issuerDown: 8,
  revokeB: 10,
  rotateWhileDown: 11,
  issuerUp: 13,
  redisKill: 16,
  revokeDuringOutage: 17,
  redisStart: 23,
  revokeE: 27,
  rotate3: 30,
}

const now = () => performance.now()
const sleepUntil = (t) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - now())))
const deadline = setTimeout(() => {
  console.error(`chaos: hard deadline of ${SETTINGS.hardDeadlineMs / 1000} s exceeded`)
  process.exit(1)
}, SETTINGS.hardDeadlineMs)

const redis = await startRedisServer()
const issuer = await startTestIssuer({ audience: AUDIENCE, algs: ['ES256'] })
const config = {
  audience: AUDIENCE,
  issuers: [{ issuer: issuer.url }],
  redis: { url: redis.url, maxStaleMs: SETTINGS.maxStaleMs, onRedisDown: 'closed', commandTimeoutMs: 500 },
  revocation: { resyncIntervalSec: 1 },
  jwks: { ttlSec: 5, cooldownSec: 1, staleIfErrorSec: 300, timeoutMs: 1000 },
  // One load generator on 127.0.0.1 sends the garbage too; per-client limiting would 429 everything after 20.
  rateLimit: { enabled: false },
}
/** `--verbose`: Portcullis' own warnings and errors, tagged by instance and time. */
const logger = (instance) => {
  const line = (level) => (object, message) => {
    if (args.verbose && level !== 'debug')
      console.log(
        `  [${instance} ${level} +${Math.round(now() - (t0 ?? now()))}ms] ${message} ${JSON.stringify(object)}`,
      )
  }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}
let t0
const onEvent = (instance) => (event) => {
  if (args.verbose && event.type === 'jwks.fetch')
    console.log(`  [${instance} jwks +${Math.round(now() - (t0 ?? now()))}ms] ${JSON.stringify(event)}`)
}
const serving = createAuth(config, { logger: logger('A'), onEvent: onEvent('A') }) // behind the Express app
const admin = createAuth(config, { logger: logger('B'), onEvent: onEvent('B') }) // another instance: revokes
await Promise.all([serving.ready(), admin.ready()])

// ---- tokens ----------------------------------------------------------------------------------------------
/** @type {Map<string, any>} */
const tokens = new Map()
let pool = []
function register(kind, token, extra = {}) {
  const id = String(tokens.size)
  const entry = { id, kind, token, weight: 1, oks: [], refusals: new Map(), ...extra }
  tokens.set(id, entry)
  return entry
}
const exp = () => Math.floor(Date.now() / 1000) + 600
async function mint(kind, extra = {}, claims = {}) {
  const jti = `chaos-${tokens.size}`
  return register(kind, await issuer.sign({ jti, scope: 'orders:read', exp: exp(), ...claims }), {
    jti,
    ...extra,
  })
}

for (let i = 0; i < 150; i++) await mint('valid', { mintedAt: 0 })
const batches = {}
for (const name of ['A', 'B', 'C', 'D', 'E']) {
  batches[name] = []
  for (let i = 0; i < 8; i++) batches[name].push(await mint('valid', { mintedAt: 0, weight: 6, batch: name }))
}
const attacker = generateTestKey('ES256')
const claims = () => ({ iss: issuer.url, aud: AUDIENCE, sub: 'mallory', exp: exp() })
const genuineKey = issuer.key('ES256')
const garbage = [
  'not-a-jwt',
  issuer.signRaw({ alg: 'none' }, claims(), { signature: '' }),
  issuer.signRaw({ alg: 'HS256', kid: genuineKey.kid }, claims(), { hmacSecret: genuineKey.publicPem }),
  issuer.signRaw({ alg: 'ES256', kid: attacker.kid }, claims(), { key: attacker }),
  issuer.signRaw({ alg: 'ES256', kid: genuineKey.kid }, claims(), { key: attacker }),
  await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }),
  await issuer.sign({ aud: 'https://elsewhere.test' }),
  issuer.signRaw({ alg: 'ES256', kid: genuineKey.kid, crit: ['x'] }, claims(), { key: genuineKey }),
]
for (const token of garbage) register('garbage', token, { weight: 4 })

function publishPool(child) {
  pool = []
  for (const entry of tokens.values())
    for (let i = 0; i < entry.weight; i++) pool.push({ id: entry.id, token: entry.token })
  // Spread duplicates so that consecutive requests do not hammer one token.
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[pool[i], pool[j]] = [pool[j], pool[i]]
  }
  child.send({ type: 'pool', pool })
}

// ---- the app under load ------------------------------------------------------------------------------------
const byStatus = new Map()
const byCode = new Map()
/** Every 5xx: [t, token id, status, code]. */
const serverErrors = []
/** Responses to genuine, never-revoked tokens of the original key: [t, status, code]. */
const genuineLog = []

function record(id, status, code, t) {
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
  byCode.set(code, (byCode.get(code) ?? 0) + 1)
  const entry = tokens.get(id)
  if (!entry) return
  if (status >= 500) serverErrors.push([t, id, status, code])
  if (status === 200) {
    if (entry.revokeRequestedAt !== undefined || entry.rotation !== undefined) entry.oks.push(t)
    entry.okCount = (entry.okCount ?? 0) + 1
  } else {
    entry.refusals.set(code, (entry.refusals.get(code) ?? 0) + 1)
    if (entry.rotation !== undefined) {
      entry.rotationRefusals ??= []
      entry.rotationRefusals.push([t, code])
    }
  }
  if (entry.kind === 'valid' && entry.batch === undefined && entry.rotation === undefined)
    genuineLog.push([t, status, code])
}

const app = express()
const { jwtAuth } = portcullis(serving, { errors: 'next' })
app.get(
  '/orders',
  (req, res, next) => {
    res.on('finish', () => record(req.get('x-chaos-token'), res.statusCode, res.locals.code ?? 'ok', now()))
    next()
  },
  jwtAuth({ scopes: ['orders:read'] }),
  (_req, res) => res.json({ orders: [] }),
)
app.use((error, _req, res, _next) => {
  res.locals.code = isAuthError(error) ? error.code : 'internal'
  if (isAuthError(error)) sendAuthError(res, error)
  else res.status(500).json({ error: 'internal' })
})
const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
const url = `http://127.0.0.1:${server.address().port}/orders`

// ---- run -----------------------------------------------------------------------------------------------------
const child = fork(fileURLToPath(new URL('./load.mjs', import.meta.url)), [
  JSON.stringify({ url, connections: SETTINGS.connections, durationSec: SETTINGS.loadSec }),
])
await once(child, 'message')
const done = new Promise((resolve, reject) => {
  child.on('message', (message) => message?.type === 'done' && resolve(message.result))
  child.on('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)))
})
publishPool(child)
t0 = now()
const at = (seconds) => t0 + seconds * 1000
const events = {}
const mark = (name) => {
  events[name] = now() - t0
}

async function revokeBatch(name, via, queued = false) {
  const requested = now()
  for (const entry of batches[name]) entry.revokeRequestedAt = requested
  await Promise.all(
    batches[name].map((entry) => via.revoke.token(entry.jti, Math.floor(Date.now() / 1000) + 600)),
  )
  const revokedAt = now()
  for (const entry of batches[name]) Object.assign(entry, { revokedAt, queued })
  mark(`revoke${name}`)
  if (args.verbose) {
    const first = batches[name][0]
    const verdict = await serving
      .authenticate({ headers: { authorization: `Bearer ${first.token}` } }, { scopes: ['orders:read'] })
      .then(
        () => 'ok',
        (error) => error.code,
      )
    const { Redis } = await import('ioredis')
    const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
    raw.on('error', () => {})
    const exists = await raw
      .connect()
      .then(() => raw.exists(`portcullis:revoked:jti:${first.jti}`))
      .catch((e) => e.message)
    raw.disconnect()
    console.log(`  [debug] batch ${name}: ${first.jti} on A -> ${verdict}; in Redis: ${exists}`)
  }
}

async function rotate(label, whileDown) {
  issuer.rotate('ES256')
  const mintedAt = now()
  for (let i = 0; i < 20; i++) await mint('valid', { rotation: label, mintedAt, whileDown, weight: 2 })
  publishPool(child)
  mark(`rotate:${label}`)
}

await sleepUntil(at(TIMELINE.revokeA))
await revokeBatch('A', admin)
await sleepUntil(at(TIMELINE.rotate1))
await rotate('1', false)
await sleepUntil(at(TIMELINE.issuerDown))
issuer.setMode('down')
mark('issuerDown')
await sleepUntil(at(TIMELINE.revokeB))
await revokeBatch('B', admin)
await sleepUntil(at(TIMELINE.rotateWhileDown))
await rotate('2', true)
await sleepUntil(at(TIMELINE.issuerUp))
issuer.setMode('ok')
mark('issuerUp')
await sleepUntil(at(TIMELINE.redisKill))
await redis.kill()
mark('redisKill')
await sleepUntil(at(TIMELINE.revokeDuringOutage))
await Promise.all([revokeBatch('C', admin, true), revokeBatch('D', serving)])
await sleepUntil(at(TIMELINE.redisStart))
await redis.start()
mark('redisStart')
await sleepUntil(at(TIMELINE.revokeE))
await revokeBatch('E', admin)
await sleepUntil(at(TIMELINE.rotate3))
await rotate('3', false)
const load = await done
mark('loadEnd')

// ---- verdicts ----------------------------------------------------------------------------------------------
const abs = (name) => t0 + events[name]
const redisDown = abs('redisKill')
const redisUp = abs('redisStart')
const issuerUp = abs('issuerUp')
/** Broken rules, each with how often and a few examples. */
const failures = new Map()
const fail = (rule, detail) => {
  const failure = failures.get(rule) ?? { rule, count: 0, examples: [] }
  failure.count++
  if (failure.examples.length < 3) failure.examples.push(detail)
  failures.set(rule, failure)
}

// 1. No 5xx caused by clients: never a 500; a 503 only for genuine tokens, only while the policy says so.
const closedFrom = redisDown + SETTINGS.maxStaleMs - SETTINGS.slackMs
const closedUntil = redisUp + SETTINGS.recoveryBoundMs
for (const [t, id, status, code] of serverErrors) {
  const entry = tokens.get(id)
  const allowed =
    status === 503 &&
    code === 'auth_unavailable' &&
    entry?.kind !== 'garbage' &&
    t >= closedFrom &&
    t <= closedUntil
  if (!allowed) fail('no 5xx caused by clients', { t: Math.round(t - t0), kind: entry?.kind, status, code })
}
const garbageOk = [...tokens.values()].filter((entry) => entry.kind === 'garbage' && (entry.okCount ?? 0) > 0)
if (garbageOk.length)
  fail(
    'forged or invalid tokens are never accepted',
    garbageOk.map((entry) => entry.id),
  )

// 2. No revoked token accepted after the propagation bound; staleness measured per batch.
const staleness = {}
for (const [name, entries] of Object.entries(batches)) {
  let max = 0
  let late = 0
  let reacceptedAfterRestart = 0
  for (const entry of entries) {
    const start = entry.queued ? redisUp : entry.revokedAt
    const bound = start + (entry.queued ? SETTINGS.queuedBoundMs : SETTINGS.propagationBoundMs)
    for (const t of entry.oks) {
      if (t <= bound) {
        if (t > entry.revokedAt) max = Math.max(max, t - start)
        continue
      }
      late++
      if (!entry.queued && entry.revokedAt < redisDown && t > redisUp) reacceptedAfterRestart++
    }
  }
  staleness[name] = {
    maxWithinBoundMs: Math.round(Math.max(0, max)),
    acceptedAfterBound: late,
    ...(reacceptedAfterRestart > 0 && { reacceptedAfterRedisRestart: reacceptedAfterRestart }),
    queued: entries[0].queued,
  }
  if (late > 0)
    fail('no revoked token accepted after the propagation bound', { batch: name, ...staleness[name] })
}

// 3. During the Redis outage: served from memory up to maxStaleMs, then 503 (closed), then recovery.
const memoryWindow = [redisDown + SETTINGS.slackMs, redisDown + SETTINGS.maxStaleMs - SETTINGS.slackMs]
const closedWindow = [redisDown + SETTINGS.maxStaleMs + SETTINGS.slackMs, redisUp]
const outage = { servedFromMemory: 0, refusedInMemoryWindow: 0, refusedClosed: 0, acceptedWhileClosed: 0 }
for (const [t, status, code] of genuineLog) {
  if (t >= memoryWindow[0] && t <= memoryWindow[1]) {
    if (status === 200) outage.servedFromMemory++
    else outage.refusedInMemoryWindow++
  } else if (t >= closedWindow[0] && t <= closedWindow[1]) {
    if (status === 503 && code === 'auth_unavailable') outage.refusedClosed++
    else outage.acceptedWhileClosed++
  }
}
if (outage.refusedInMemoryWindow > 0) fail('genuine tokens served from memory within maxStaleMs', outage)
if (outage.acceptedWhileClosed > 0) fail("past maxStaleMs, 'closed' answers 503 and nothing else", outage)
if (outage.refusedClosed === 0) fail('the outage was observed under load', outage)
const unavailableAfterUp = genuineLog.filter(([t, status]) => t > redisUp && status === 503).map(([t]) => t)
const recoveryMs = unavailableAfterUp.length ? Math.round(Math.max(...unavailableAfterUp) - redisUp) : 0
if (recoveryMs > SETTINGS.recoveryBoundMs) fail('full recovery within 2 s of Redis returning', { recoveryMs })
const firstOkAfterUp = genuineLog.find(([t, status]) => t > redisUp && status === 200)
const genuineRefusedOutside = genuineLog.filter(
  ([t, status]) => status !== 200 && !(t >= redisDown && t <= redisUp + SETTINGS.recoveryBoundMs),
)
if (genuineRefusedOutside.length) {
  fail('genuine tokens are served outside the Redis outage', genuineRefusedOutside.slice(0, 5))
}

// 4. Key rotation: tokens of a new key are accepted once the issuer can be reached.
const rotation = {}
for (const entry of tokens.values()) {
  if (entry.rotation === undefined) continue
  const availableFrom = entry.whileDown ? Math.max(entry.mintedAt, issuerUp) : entry.mintedAt
  const firstOk = entry.oks.find((t) => t >= availableFrom)
  rotation[entry.rotation] ??= { tokens: 0, maxTimeToAcceptMs: 0, lateRefusals: 0 }
  const summary = rotation[entry.rotation]
  summary.tokens++
  if (firstOk === undefined) summary.neverAccepted = (summary.neverAccepted ?? 0) + 1
  else summary.maxTimeToAcceptMs = Math.max(summary.maxTimeToAcceptMs, Math.round(firstOk - availableFrom))
  for (const [t, code] of entry.rotationRefusals ?? []) {
    const inRedisOutage = t >= closedFrom && t <= closedUntil && code === 'auth_unavailable'
    if (t > availableFrom + SETTINGS.rotationBoundMs && !inRedisOutage) summary.lateRefusals++
  }
}
for (const [label, summary] of Object.entries(rotation)) {
  if (summary.neverAccepted || summary.lateRefusals)
    fail('rotated keys are picked up', { rotation: label, ...summary })
}

// ---- report ----------------------------------------------------------------------------------------------
const served = [...byStatus.values()].reduce((a, b) => a + b, 0)
const report = {
  settings: SETTINGS,
  timelineMs: Object.fromEntries(Object.entries(events).map(([name, t]) => [name, Math.round(t)])),
  load,
  server: {
    responses: served,
    byStatus: Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)),
    byCode: Object.fromEntries([...byCode].sort(([, a], [, b]) => b - a)),
    fiveXX: serverErrors.length,
    status500: byStatus.get(500) ?? 0,
  },
  revocation: {
    staleness,
    maxStalenessWithinBoundMs: Math.max(...Object.values(staleness).map((s) => s.maxWithinBoundMs)),
  },
  redisOutage: {
    ...outage,
    recoveryMs,
    firstOkAfterRedisMs: firstOkAfterUp ? Math.round(firstOkAfterUp[0] - redisUp) : null,
  },
  rotation,
  failures: [...failures.values()],
}

console.log('\nPortcullis chaos run (loopback, Express + Redis, autocannon)')
console.log(
  `  load: ${load.requests} requests in ${SETTINGS.loadSec} s (${Math.round(load.rps)} req/s avg), ` +
    `p50 ${load.latencyP50Ms} ms, p99 ${load.latencyP99Ms} ms, errors ${load.errors}, timeouts ${load.timeouts}`,
)
console.log(`  responses by status: ${JSON.stringify(report.server.byStatus)}`)
console.log(`  responses by code:   ${JSON.stringify(report.server.byCode)}`)
console.log(`  timeline (ms after load start): ${JSON.stringify(report.timelineMs)}`)
for (const [name, s] of Object.entries(staleness)) {
  console.log(
    `  revocation batch ${name}${s.queued ? ' (issued while Redis was down)' : ''}: max staleness ${s.maxWithinBoundMs} ms, ` +
      `accepted after the bound: ${s.acceptedAfterBound}` +
      (s.reacceptedAfterRedisRestart ? ` (${s.reacceptedAfterRedisRestart} after the Redis restart)` : ''),
  )
}
console.log(
  `  Redis outage: ${outage.servedFromMemory} served from memory within maxStaleMs, ${outage.refusedClosed} answered 503 (closed), ` +
    `${outage.acceptedWhileClosed} accepted while closed; recovery ${recoveryMs} ms after Redis returned`,
)
for (const [label, s] of Object.entries(rotation)) {
  console.log(
    `  key rotation ${label}: ${s.tokens} tokens, accepted within ${s.maxTimeToAcceptMs} ms of the key being reachable`,
  )
}
if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`)
for (const failure of failures.values()) {
  console.log(`  FAIL ${failure.rule} (${failure.count}×): ${JSON.stringify(failure.examples)}`)
}
console.log(failures.size === 0 ? 'chaos: PASS' : `chaos: FAIL (${failures.size} rules broken)`)

clearTimeout(deadline)
server.closeAllConnections()
server.close()
await Promise.all([serving.close(), admin.close()])
await Promise.all([issuer.close(), redis.close()])
process.exit(failures.size === 0 ? 0 : 1)
