import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * The tests run the built `portcullis` (dist/bin.js), as a user would after installing it: a source run
 * through tsx costs seconds per process. turbo builds it (and core, which it imports) unless its cache
 * already holds this source; under the root `pnpm test` everything was just built, so this is a cache hit.
 */
export default function buildCli(): void {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  execFileSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@portcullis/cli', '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
}
