import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/**
 * Pins a process and all its threads to one CPU (Linux `taskset`), so the load generator and the server under
 * test each keep a core of their own. Unpinned on this 2-core machine, the scheduler moves them around and
 * the same bare server measured 120–250 µs of CPU per request from one run to the next; pinned, it stays
 * within ±10%. Returns false (and changes nothing) where it cannot pin: fewer than 2 CPUs, no `taskset`.
 */
export function pinToCpu(pid: number | undefined, cpu: number): boolean {
  if (pid === undefined || availableParallelism() < 2) return false
  try {
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
}

/** Where the suites put the load generator and the server under test. */
export const LOAD_CPU = 0
export const SERVER_CPU = 1
