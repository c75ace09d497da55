import type { ExecutionResult } from 'graphql'
import type { OperationAuth } from './operation-auth.js'

/**
 * Re-checks the operation's authentication before each event of a subscription reaches the client.
 * When it no longer passes (token revoked or expired since the subscription started), the client gets
 * one last event carrying the auth error and the stream ends; the source is closed.
 */
export function recheckEachEvent(
  source: AsyncIterable<ExecutionResult>,
  operation: OperationAuth,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]()
  let finished = false
  const close = async () => {
    finished = true
    await iterator.return?.()
  }
  return {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      if (finished) return { done: true, value: undefined }
      const step = await iterator.next()
      if (step.done) {
        finished = true
        return step
      }
      let failure: Awaited<ReturnType<OperationAuth['recheck']>>
      try {
        failure = await operation.recheck()
      } catch (error) {
        await close()
        throw error
      }
      if (failure === undefined) return step
      await close()
      return { done: false, value: { errors: [failure] } }
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      await close()
      return { done: true, value: undefined }
    },
    async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
      await close()
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
