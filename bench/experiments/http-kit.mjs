// What the scratch HTTP experiments share: the bench's token set (10,000 RS256 users, 1% broken signatures,
// 0.1% revoked), its scenario servers in pinned child processes, their CPU time, a pinned load generator.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestIssuer } from '@portcullis/testing'
import { LoadGenerator } from '../dist/http/load-client.js'
import { LOAD_CPU, pinToCpu, SERVER_CPU } from '../dist/lib/cpu-pinning.js'
import { claimsOf, mintTokens, tamper } from '../dist/lib/tokens.js'

const dist = join(new URL('.', import.meta.url).pathname, '../dist/http')
export const GRAPHQL_BODY = JSON.stringify({ query: '{ me }' })

/** A test issuer and the token file; `allValid` leaves out the broken and revoked ones. */
export async function prepareTokens({ count = 10_000, allValid = false } = {}) {
  const issuer = await startTestIssuer({ algs: ['RS256'] })
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-exp-'))
  const tokens = await mintTokens(issuer.key('RS256'), count, {
    issuer: issuer.url,
    audience: 'https://api.test',
    expiresIn: 7200,
  })
  const revokedJtis = []
  for (let i = 0; i < count && !allValid; i++) {
    if (i % 100 === 37) tokens[i] = tamper(tokens[i])
    else if (i % 1000 === 500) {
      const c = claimsOf(tokens[i])
      revokedJtis.push({ jti: c.jti, exp: c.exp })
    }
  }
  const tokensFile = join(dir, 'tokens.json')
  writeFileSync(tokensFile, JSON.stringify(tokens))
  const context = {
    issuer: issuer.url,
    jwksUri: issuer.jwksUri,
    audience: 'https://api.test',
    alg: 'RS256',
    revokedJtis,
  }
  const close = async () => {
    await issuer.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { count, tokensFile, context, close }
}

/**
 * One bench scenario's server in a child pinned to the server CPU; resolves once it listens. `execPath` runs it
 * with another executable (a wrapper that puts valgrind in front of node).
 */
export function startScenario(name, context, { execArgv = [], env = process.env, execPath } = {}) {
  const child = fork(join(dist, 'server-child.js'), [name, JSON.stringify(context)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    env,
    ...(execPath && { execPath }),
  })
  pinToCpu(child.pid, SERVER_CPU)
  return new Promise((resolve, reject) => {
    child.once('message', (m) =>
      m.type === 'listening' ? resolve({ child, port: m.port }) : reject(new Error(m.error)),
    )
  })
}

/** The server child's CPU time so far, in µs. */
export function serverCpu(child) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== 'cpu') return
      child.off('message', on)
      resolve(m.micros)
    }
    child.on('message', on)
    child.send({ type: 'cpu' })
  })
}

/** The bench's load generator, pinned to the load CPU. */
export function pinnedLoadGenerator() {
  const loadgen = new LoadGenerator()
  pinToCpu(loadgen.pid, LOAD_CPU)
  return loadgen
}

/** A load spec for a scenario's server: its route, method and body. */
export function loadSpec(port, yoga, tokensFile, durationSec) {
  return {
    url: `http://127.0.0.1:${port}${yoga ? '/graphql' : '/me'}`,
    method: yoga ? 'POST' : 'GET',
    ...(yoga && { body: GRAPHQL_BODY }),
    tokensFile,
    connections: 32,
    durationSec,
  }
}

/**
 * The bench's load against a server in this process (pinned to the server CPU): every token once, then WARM
 * seconds (default 2); `yoga` posts the bench's GraphQL query instead of GET /me. `round()` loads it for 2 s more and returns the load generator's result with this
 * process's CPU µs per request.
 */
export async function warmedLoad(port, tokensFile, count, { yoga = false } = {}) {
  pinToCpu(process.pid, SERVER_CPU)
  const loadgen = pinnedLoadGenerator()
  const spec = (seconds) => loadSpec(port, yoga, tokensFile, seconds)
  await loadgen.run({ ...spec(300), amount: count })
  await loadgen.run(spec(Number(process.env.WARM ?? 2)))
  return {
    async round() {
      const before = process.cpuUsage()
      const out = await loadgen.run(spec(2))
      const cpu = process.cpuUsage(before)
      return { ...out, cpuPerRequest: (cpu.user + cpu.system) / out.requests }
    },
    close: () => loadgen.close(),
  }
}

/** Times every call of `prototype[method]` (sync part only): `{ ns, calls }`, reset with `reset()`. */
export function timeCalls(prototype, method) {
  const timed = { ns: 0, calls: 0, reset: () => Object.assign(timed, { ns: 0, calls: 0 }) }
  const original = prototype[method]
  prototype[method] = function (...args) {
    const started = process.hrtime.bigint()
    const result = original.apply(this, args)
    timed.ns += Number(process.hrtime.bigint() - started)
    timed.calls++
    return result
  }
  return timed
}

/** The prototype of core's `Auth` instances, found through a throwaway one. */
export async function authPrototype() {
  const { createAuth } = await import('@portcullis/core')
  const probe = createAuth({
    audience: 'https://probe.test',
    issuers: [{ issuer: 'https://probe.test', jwksUri: 'https://probe.test/jwks' }],
  })
  await probe.close()
  return Object.getPrototypeOf(probe)
}

/**
 * An `Auth` for the bench's issuer and audience, ready, with the bench's revoked jtis revoked. `lib` is the core
 * module to build it with (default: the workspace's; a copy for A/B scripts).
 */
export async function benchAuth(context, lib) {
  const { createAuth } = lib ?? (await import('@portcullis/core'))
  const auth = createAuth({
    audience: context.audience,
    issuers: [{ issuer: context.issuer, jwksUri: context.jwksUri }],
  })
  await auth.ready()
  for (const { jti, exp } of context.revokedJtis) await auth.revoke.token(jti, exp)
  return auth
}

/** An Express app set up as the bench's are: trusts the loopback proxy, no ETag, no X-Powered-By. */
export async function benchExpressApp() {
  const { default: express } = await import('express')
  const app = express()
  app.set('trust proxy', 'loopback')
  app.set('etag', false)
  app.set('x-powered-by', false)
  return app
}
