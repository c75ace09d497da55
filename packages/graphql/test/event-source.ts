/**
 * An in-memory event source for subscription tests: a subscriber is registered as soon as
 * `subscribe()` is called (so a test can wait for it before publishing), and unregistered when the
 * server closes its iterator (so a test can see that the stream really ended).
 */
export class TestEventSource<T> {
  readonly #subscribers = new Set<(value: T) => void>()

  get subscribers(): number {
    return this.#subscribers.size
  }

  publish(value: T): void {
    for (const deliver of this.#subscribers) deliver(value)
  }

  subscribe(): AsyncIterableIterator<T> {
    const queue: T[] = []
    let wake: (() => void) | undefined
    let closed = false
    const deliver = (value: T) => {
      queue.push(value)
      wake?.()
    }
    this.#subscribers.add(deliver)
    const close = () => {
      closed = true
      this.#subscribers.delete(deliver)
      wake?.()
    }
    return {
      async next(): Promise<IteratorResult<T>> {
        while (queue.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve))
        if (queue.length > 0) return { done: false, value: queue.shift() as T }
        return { done: true, value: undefined }
      },
      async return(): Promise<IteratorResult<T>> {
        close()
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]() {
        return this
      },
    }
  }
}
