/**
 * Cleanups that must run even when a suite is stopped from outside (timeout, Ctrl-C): child processes such as
 * redis-server outlive a killed parent, so every suite registers what it started.
 */
const cleanups = new Set<() => Promise<void>>()

export function onShutdown(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup)
  return () => cleanups.delete(cleanup)
}

export async function runCleanups(): Promise<void> {
  const pending = [...cleanups]
  cleanups.clear()
  await Promise.allSettled(pending.map((cleanup) => cleanup()))
}

let installed = false

/** On SIGTERM, SIGINT or losing the parent: run every cleanup, then exit. */
export function installShutdownHandlers(): void {
  if (installed) return
  installed = true
  const stop = () => {
    const timer = setTimeout(() => process.exit(1), 5000)
    timer.unref()
    void runCleanups().finally(() => process.exit(1))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.once('disconnect', stop)
}
