import { type MercuryStandIn, type MercuryStandInOptions, startMercuryStandIn } from '@portcullis/testing'
import { afterEach } from 'vitest'
import type { Logger } from '../../src/logger.js'
import type { KeyReader } from '../../src/mercury/key-reader.js'
import type { HashReader } from '../../src/projects/redis-hash-resolver.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import type { SharedStore } from '../../src/store/shared-store.js'

export const SIGNING_SECRET = 'wazobia-shared-signing-secret-for-tests'
export const SERVICE_ID = '3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f'
export const OTHER_SERVICE_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup)
}

/** A Mercury stand-in on 127.0.0.1 expecting SIGNING_SECRET, closed after the test. */
export async function mercuryForTest(options: Partial<MercuryStandInOptions> = {}): Promise<MercuryStandIn> {
  const mercury = await startMercuryStandIn({ signingSecret: SIGNING_SECRET, ...options })
  onCleanup(() => mercury.close())
  return mercury
}

/** A pino-shaped logger that keeps every line, to assert what was (never) logged. */
export class CapturingLogger implements Logger {
  readonly lines: { level: string; object: Record<string, unknown>; message: string }[] = []
  debug(object: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', object, message })
  }
  info(object: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', object, message })
  }
  warn(object: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', object, message })
  }
  error(object: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', object, message })
  }
  /** Everything logged, as one string. */
  text(): string {
    return JSON.stringify(this.lines)
  }
}

/** Mercury's Redis, in memory: raw keys, a read counter, and a switch to make reads fail. */
export class MapKeyReader implements KeyReader {
  readonly values = new Map<string, string>()
  reads = 0
  failing = false
  async get(key: string): Promise<string | undefined> {
    this.reads++
    if (this.failing) throw new Error('connection refused')
    return this.values.get(key)
  }
}

/** Redis hashes, in memory. */
export class MapHashReader implements HashReader {
  readonly hashes = new Map<string, Record<string, string>>()
  failing = false
  async hgetall(key: string): Promise<Record<string, string>> {
    if (this.failing) throw new Error('connection refused')
    return { ...(this.hashes.get(key) ?? {}) }
  }
}

/** A MemoryStore that records every key and value written, and can be made to fail. */
export class RecordingStore implements SharedStore {
  readonly shared = false
  readonly written: { key: string; value: string }[] = []
  failing = false
  readonly #inner = new MemoryStore()

  async get(key: string): Promise<string | undefined> {
    if (this.failing) throw new Error('store down')
    return this.#inner.get(key)
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.failing) throw new Error('store down')
    this.written.push({ key, value })
    return this.#inner.set(key, value, ttlMs)
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.failing) throw new Error('store down')
    this.written.push({ key, value })
    return this.#inner.setIfAbsent(key, value, ttlMs)
  }
  async delete(key: string): Promise<void> {
    return this.#inner.delete(key)
  }
  /** Every key and value written, as one string. */
  text(): string {
    return JSON.stringify(this.written)
  }
}

/** The AuthError code a promise rejects with (fails the test if it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code ?? `non-AuthError: ${String(error)}`
  }
  throw new Error('expected a rejection, but the promise resolved')
}

/** The rejection itself (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; status?: number }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string; status?: number }
  }
  throw new Error('expected a rejection, but the promise resolved')
}
