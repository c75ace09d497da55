import type { Parameters as FcParameters } from 'fast-check'

/**
 * How many runs each property gets. The defaults keep `pnpm test` bounded (the whole folder well under
 * 20 s); `node scripts/fuzz-long.mjs --runs N` sets these variables to run the very same properties longer.
 */
const localRuns = positive(process.env.PORTCULLIS_FUZZ_RUNS)
const httpRuns = positive(process.env.PORTCULLIS_FUZZ_HTTP_RUNS)
const seed =
  process.env.PORTCULLIS_FUZZ_SEED === undefined ? undefined : Number(process.env.PORTCULLIS_FUZZ_SEED)

/** fast-check parameters for a property run in process (`authenticate()`), default `defaultRuns`. */
export function inProcess(defaultRuns: number): FcParameters<unknown> {
  return parameters(localRuns ?? defaultRuns)
}

/** fast-check parameters for a property that goes over real HTTP (slower per run). */
export function overHttp(defaultRuns: number): FcParameters<unknown> {
  return parameters(
    httpRuns ?? (localRuns === undefined ? defaultRuns : Math.max(1, Math.floor(localRuns / 10))),
  )
}

/** Long runs need more than the per-test timeout of the bounded suite. */
export const PROPERTY_TIMEOUT_MS = localRuns === undefined && httpRuns === undefined ? 20_000 : 24 * 3600_000

function parameters(numRuns: number): FcParameters<unknown> {
  return {
    numRuns,
    // A failure prints its seed and path; `--seed` (or fast-check's `path`) reproduces it.
    ...(seed !== undefined && Number.isFinite(seed) && { seed }),
  }
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value)
  return value !== undefined && Number.isInteger(number) && number > 0 ? number : undefined
}
