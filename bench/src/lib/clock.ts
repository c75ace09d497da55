/**
 * This process's CPU time in nanoseconds (all threads: the libuv pool that runs WebCrypto jobs included).
 * On a machine shared with other work, wall time mostly measures the neighbours; CPU time measures the code.
 */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) * 1000
}
