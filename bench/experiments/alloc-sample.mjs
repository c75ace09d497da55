// Scratch: where one bench HTTP scenario's server allocates, by call site. V8's sampling heap profiler, told
// to keep the samples of objects the GC already collected, runs over one measured round of the bench's load
// (server in this process, pinned; the load generator in its own pinned process); each sample's bytes go to
// its allocating function and to every package on its stack, per request.
//   node alloc-sample.mjs "Yoga + Portcullis @jwtAuth" [top=40]
// SERVER=FILE.mjs measures a scratch server module instead (see the code). MIXED=1 adds the broken and revoked tokens; INTERVAL=bytes between samples (default 256).
import { Session } from 'node:inspector/promises'
import { prepareTokens, warmedLoad } from './http-kit.mjs'

const [name, top = '40'] = process.argv.slice(2)
const { SCENARIOS } = await import('../dist/http/scenarios.js')
// SERVER=FILE.mjs measures that module's default export `(context) => BenchServer` instead (yoga if NAME says so).
const scenario = process.env.SERVER
  ? { create: (await import(process.env.SERVER)).default }
  : SCENARIOS.find((s) => s.name === name)
if (!scenario) throw new Error(`unknown scenario ${name}; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`)
const { count, tokensFile, context, close } = await prepareTokens({ allValid: !process.env.MIXED })
const server = await scenario.create(context)
const load = await warmedLoad(await server.listen(), tokensFile, count, { yoga: name.startsWith('Yoga') })

const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.INTERVAL ?? 256),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
})
const round = await load.round()
const { profile } = await session.post('HeapProfiler.stopSampling')
session.disconnect()
load.close()
await server.close()
await close()

const bySite = new Map()
const byPackage = new Map()
let total = 0
const walk = (node, stack) => {
  const frame = node.callFrame
  const here = [...stack, frame]
  if (node.selfSize > 0) {
    total += node.selfSize
    const site = `${frame.functionName || '(anonymous)'} ${short(frame.url)}:${frame.lineNumber + 1}`
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
    for (const pkg of new Set(here.map((f) => packageOf(f.url)).filter(Boolean)))
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.selfSize)
  }
  for (const child of node.children) walk(child, here)
}
walk(profile.head, [])
const perRequest = (bytes) => (bytes / round.requests).toFixed(0).padStart(7)
console.log(
  `${name}: ${round.requests} requests, ${round.cpuPerRequest.toFixed(1)} µs CPU each; sampled ${perRequest(total)} B/request`,
)
console.log('\nB/request with this package anywhere on the stack:')
for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]))
  console.log(`${perRequest(bytes)}  ${pkg}`)
console.log('\nB/request by allocating function:')
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`${perRequest(bytes)}  ${site}`)

function short(url) {
  return url
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^.*\/packages\//, '@portcullis/')
}
function packageOf(url) {
  if (!url) return undefined
  const portcullis = url.match(/\/packages\/([^/]+)\//)
  if (portcullis && !url.includes('node_modules')) return `@portcullis/${portcullis[1]}`
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (m) return m[1]
  if (url.startsWith('node:')) return url
  return undefined
}
