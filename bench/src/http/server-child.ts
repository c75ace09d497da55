import type { ServerContext } from './context.js'
import { SCENARIOS } from './scenarios.js'

/** One benchmark server in its own process: listens on 127.0.0.1, reports its port and, on request, its CPU time. */
export type ServerMessage =
  | { type: 'listening'; port: number }
  | { type: 'cpu'; micros: number }
  | { type: 'error'; error: string }

const [name, contextText] = process.argv.slice(2) as [string, string]
const scenario = SCENARIOS.find((s) => s.name === name)
try {
  if (!scenario) throw new Error(`unknown scenario ${name}`)
  const server = await scenario.create(JSON.parse(contextText) as ServerContext)
  const port = await server.listen()
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ type: 'cpu', micros: user + system } satisfies ServerMessage)
    }
  })
  process.on('disconnect', () => {
    void server.close().finally(() => process.exit(0))
  })
  process.send?.({ type: 'listening', port } satisfies ServerMessage)
} catch (error) {
  process.send?.(
    { type: 'error', error: (error as Error).stack ?? String(error) } satisfies ServerMessage,
    () => process.exit(1),
  )
}
