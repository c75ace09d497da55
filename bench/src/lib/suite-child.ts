import { installShutdownHandlers } from './cleanup.js'
import { parseRunOptions } from './options.js'
import type { SuiteReport } from './report.js'

/** Runs one suite in this fresh process and sends its report to the runner. */
const [suitePath] = process.argv.slice(2)
if (!suitePath || !process.send) throw new Error('usage: forked by run.js with a suite module path')
installShutdownHandlers()
const options = parseRunOptions(process.argv)
const module = (await import(suitePath)) as { default: (o: typeof options) => Promise<SuiteReport> }
try {
  const report = await module.default(options)
  process.send({ ok: true, report }, () => process.exit(0))
} catch (error) {
  process.send({ ok: false, error: (error as Error).stack ?? String(error) }, () => process.exit(1))
}
