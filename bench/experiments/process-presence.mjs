// Scratch: what Portcullis's presence in a process costs requests it does not guard. Two Express servers in child
// processes, both pinned to the server CPU, both serving GET /bare (no guard); in one of them Portcullis also
// served every token once through a guarded GET /me first (its L1 full, `req.auth` installed on Express's
// request prototype) and, with KEEP_GUARDING=1, keeps guarding 1 request in 10 during the measured windows...
// (not used by default). 2 s windows alternate between the two; each child reports its CPU µs per request.
//   node process-presence.mjs [ROUNDS=10]
import { fork } from 'node:child_process'
import { portcullis } from '@portcullis/express'
import { pinToCpu, SERVER_CPU } from '../dist/lib/cpu-pinning.js'
import { benchAuth, benchExpressApp, loadSpec, pinnedLoadGenerator, prepareTokens } from './http-kit.mjs'

if (process.argv[2] === '--child') {
  const [withPortcullis, contextJson] = [process.argv[3] === 'portcullis', process.argv[4]]
  const context = JSON.parse(contextJson)
  const app = await benchExpressApp()
  app.get('/bare', (_req, res) => res.json({ id: 'anonymous' }))
  if (withPortcullis) {
    const { jwtAuth } = portcullis(await benchAuth(context))
    app.get('/me', jwtAuth(), (req, res) => res.json({ id: req.auth?.user?.subject }))
  }
  const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('message', () => {
    const used = process.cpuUsage()
    process.send({ cpu: used.user + used.system })
  })
} else {
  const rounds = Number(process.argv[2] ?? 10)
  const { count, tokensFile, context, close } = await prepareTokens({ allValid: true })
  const start = (kind) => {
    const child = fork(new URL(import.meta.url).pathname, ['--child', kind, JSON.stringify(context)])
    pinToCpu(child.pid, SERVER_CPU)
    return new Promise((resolve) => child.once('message', (m) => resolve({ kind, child, port: m.port })))
  }
  const cpuOf = (child) =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m.cpu))
      child.send('cpu')
    })
  const servers = [await start('bare'), await start('portcullis')]
  const loadgen = pinnedLoadGenerator()
  const spec = (server, path, seconds) => ({
    ...loadSpec(server.port, false, tokensFile, seconds),
    url: `http://127.0.0.1:${server.port}${path}`,
  })
  await loadgen.run({ ...spec(servers[1], '/me', 300), amount: count })
  for (const server of servers) await loadgen.run(spec(server, '/bare', 3))
  const cpu = { bare: [], portcullis: [] }
  for (let r = 0; r < rounds; r++) {
    for (const server of r % 2 ? [...servers].reverse() : servers) {
      await loadgen.run(spec(server, '/bare', 0.5))
      const before = await cpuOf(server.child)
      const out = await loadgen.run(spec(server, '/bare', 2))
      cpu[server.kind].push(((await cpuOf(server.child)) - before) / out.requests)
    }
    console.log(
      `round ${r + 1}: plain process ${cpu.bare[r].toFixed(1)}, process with Portcullis ${cpu.portcullis[r].toFixed(1)} µs per /bare request`,
    )
  }
  const median = (v) => {
    const s = [...v].sort((a, b) => a - b)
    const m = s.length >> 1
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
  }
  console.log(
    `medians: plain ${median(cpu.bare).toFixed(1)}, with Portcullis ${median(cpu.portcullis).toFixed(1)}, per-round difference ${median(cpu.portcullis.map((v, i) => v - cpu.bare[i])).toFixed(1)} µs/req`,
  )
  loadgen.close()
  for (const { child } of servers) child.kill()
  await close()
}
