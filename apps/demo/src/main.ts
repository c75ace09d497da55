// `pnpm demo`: the issuer, three protected APIs and the playground, on 127.0.0.1, in this one process.
import { loadDemoConfig } from './config.js'
import { startDemo } from './demo.js'
import { renderBanner, renderTour } from './tour/render-tour.js'

const config = loadDemoConfig()
let demo: Awaited<ReturnType<typeof startDemo>>
try {
  demo = await startDemo(config)
} catch (error) {
  console.error(`The demo could not start: ${(error as Error).message}`)
  process.exit(1)
}
console.log(renderBanner(demo.manifest))
if (process.env.DEMO_QUIET !== '1') console.log(renderTour(demo.manifest))

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
