/** How hard a run pushes: `--smoke` runs every scenario once with minimal iterations, to show breakage fast. */
export interface RunOptions {
  smoke: boolean
  /** Suites to run (default all): micro, l2, redis, jwks, memory, http. */
  only: ReadonlySet<string> | undefined
}

export function parseRunOptions(argv: readonly string[]): RunOptions {
  const smoke = argv.includes('--smoke')
  const onlyArg = argv.find((arg) => arg.startsWith('--only='))
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined
  return { smoke, only }
}

/** The knobs each suite reads; smoke values keep a full `bench:smoke` to a few seconds per suite. */
export function budgets(smoke: boolean) {
  return smoke
    ? {
        microTokens: 32,
        microRounds: 1,
        microMinCpuNs: 5e6,
        httpTokens: 200,
        httpRounds: 1,
        httpRoundsPerProcess: 1,
        httpFirstWarmupSec: 0.5,
        httpWarmupSec: 0.25,
        httpMeasureSec: 1,
        httpConnections: 8,
        l2Ops: 200,
        redisRequests: 500,
        propagationSamples: 10,
        jwksInstances: 2,
        memoryTokens: 20_000,
      }
    : {
        microTokens: 2048,
        microRounds: 5,
        microMinCpuNs: 150e6,
        httpTokens: 10_000,
        httpRounds: 20,
        httpRoundsPerProcess: 5,
        httpFirstWarmupSec: 2,
        httpWarmupSec: 0.5,
        httpMeasureSec: 2,
        httpConnections: 32,
        l2Ops: 5000,
        redisRequests: 20_000,
        propagationSamples: 200,
        jwksInstances: 4,
        memoryTokens: 1_000_000,
      }
}

export type Budgets = ReturnType<typeof budgets>
