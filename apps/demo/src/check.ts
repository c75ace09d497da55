// `pnpm --filter @portcullis/demo demo:check`: starts a fresh demo, runs the whole tour without a person,
// and exits non-zero on any unexpected status.
import { describeResult, runTour } from './tour/run-tour.js'
import { spawnDemo } from './tour/spawn-demo.js'

const started = Date.now()
const demo = await spawnDemo().catch((error: Error) => {
  console.error(error.message)
  process.exit(1)
})
console.log(`demo started in ${Date.now() - started} ms: ${demo.manifest.issuer}`)
if (!demo.manifest.projectMode) {
  console.log(
    'NOTE: @portcullis/core does not authenticate projects in this build; project steps are not part of the tour.',
  )
}
let results: Awaited<ReturnType<typeof runTour>> = []
try {
  results = await runTour(demo.manifest, (result) => console.log(describeResult(result)))
} finally {
  await demo.stop()
}
const failed = results.filter((result) => !result.ok).length
console.log(`demo:check: ${results.length - failed} passed, ${failed} failed`)
if (failed > 0) {
  console.log(`\ndemo output:\n${demo.output()}`)
  process.exit(1)
}
