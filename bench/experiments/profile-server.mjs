// Scratch: one bench HTTP scenario in a child process started with extra node flags (PROFILE_ARGS, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"), warmed up over every token, then loaded for SECONDS; prints the server's
// CPU µs per request. With PERF=1 it runs `perf record -g` on the child during the measured load.
//   node bench/experiments/profile-server.mjs "Express + Portcullis jwtAuth" 8
import { fork, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestIssuer } from '@portcullis/testing'
import { LoadGenerator } from '../dist/http/load-client.js'
import { LOAD_CPU, pinToCpu, SERVER_CPU } from '../dist/lib/cpu-pinning.js'
import { claimsOf, mintTokens, tamper } from '../dist/lib/tokens.js'

const here = new URL('.', import.meta.url).pathname
const dist = join(here, '../dist/http')
const [scenario, secondsArg] = process.argv.slice(2)
const seconds = Number(secondsArg ?? 8)
const yoga = scenario.startsWith('Yoga')
const issuer = await startTestIssuer({ algs: ['RS256'] })
const dir = mkdtempSync(join(tmpdir(), 'portcullis-prof-'))
const count = 10_000
const tokens = await mintTokens(issuer.key('RS256'), count, {
  issuer: issuer.url,
  audience: 'https://api.test',
  expiresIn: 7200,
})
const revokedJtis = []
for (let i = 0; i < count; i++) {
  if (process.env.ALL_VALID) continue
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
const child = fork(join(dist, 'server-child.js'), [scenario, JSON.stringify(context)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: (process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean),
})
pinToCpu(child.pid, SERVER_CPU)
const port = await new Promise((resolve, reject) =>
  child.once('message', (m) => (m.type === 'listening' ? resolve(m.port) : reject(new Error(m.error)))),
)
const cpu = () =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== 'cpu') return
      child.off('message', on)
      resolve(m.micros)
    }
    child.on('message', on)
    child.send({ type: 'cpu' })
  })
const loadgen = new LoadGenerator()
pinToCpu(loadgen.pid, LOAD_CPU)
const load = (spec) => loadgen.run(spec)
const spec = (durationSec) => ({
  url: `http://127.0.0.1:${port}${yoga ? '/graphql' : '/me'}`,
  method: yoga ? 'POST' : 'GET',
  ...(yoga && { body: JSON.stringify({ query: '{ me }' }) }),
  tokensFile,
  connections: 32,
  durationSec,
})
await load({ ...spec(300), amount: count })
await load(spec(Number(process.env.WARM ?? 2)))
const perf = process.env.PERF
  ? spawn(
      'perf',
      ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(child.pid), '-o', process.env.PERF],
      { stdio: 'inherit' },
    )
  : undefined
const c0 = await cpu()
const out = await load(spec(seconds))
const c1 = await cpu()
perf?.kill('SIGINT')
console.log(
  `${scenario}: ${Math.round(out.rps)} req/s, ${((c1 - c0) / out.requests).toFixed(1)} µs CPU/req, non2xx ${out.non2xx}`,
)
child.disconnect()
loadgen.close()
await new Promise((r) => child.once('exit', r))
await issuer.close()
rmSync(dir, { recursive: true, force: true })
