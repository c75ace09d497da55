import { onCleanup } from './helpers.js'

export interface ServerSentEvent {
  event: string
  data: string
}

export interface SseSubscription {
  status: number
  headers: Headers
  /** The next `event:`/`data:` block, skipping keep-alive comments. */
  nextEvent(): Promise<ServerSentEvent>
}

/** Starts a GraphQL subscription over Server-Sent Events (Yoga's built-in transport), over a real socket. */
export async function subscribeOverSse(
  url: string,
  query: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<SseSubscription> {
  const abort = new AbortController()
  const response = await fetch(url, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: JSON.stringify({ query }),
  })
  onCleanup(() => abort.abort())
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  async function nextEvent(): Promise<ServerSentEvent> {
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const lines = block.split('\n').filter((line) => !line.startsWith(':'))
        if (lines.length === 0) continue
        const field = (name: string) =>
          lines
            .filter((line) => line.startsWith(`${name}:`))
            .map((line) => line.slice(name.length + 1).trimStart())
            .join('\n')
        return { event: field('event'), data: field('data') }
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('the event stream ended')
      buffer += decoder.decode(value, { stream: true })
    }
  }
  return { status: response.status, headers: response.headers, nextEvent }
}
