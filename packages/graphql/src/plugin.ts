import type { Auth, AuthPolicy } from '@portcullis/core'
import type { ExecutionResult } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { PortcullisContext } from './context.js'
import { PortcullisAuthError } from './errors.js'
import { createFieldGuard, type FieldGuard } from './guard.js'
import { beginOperation, type OperationAuth } from './operation-auth.js'
import { renderOperationResult } from './operation-result.js'
import { type AuthInputReader, keepRawBody, readAuthInput } from './request-input.js'
import { PortcullisRuntime } from './runtime.js'
import { recheckEachEvent } from './subscription-recheck.js'

export interface UsePortcullisOptions {
  /**
   * Authenticate before execution instead of on the first protected field. `true` means
   * `{ mode: 'jwt', optional: true }`: whoever sends a token is identified (`context.user` is set for
   * every resolver), a bad token fails the operation with 401, and anonymous requests go on to the
   * field rules. Give a policy to require it for the whole operation. Default: lazy, where an
   * unprotected resolver sees `context.user` only if a protected field passed before it ran (with a
   * cached token, that can be an earlier sibling: it passes in the same tick).
   */
  eager?: boolean | AuthPolicy
  /**
   * When a protected field fails, answer with the other fields' data, a field error and `null` there
   * (HTTP 200). `false` fails the whole operation instead (`data: null`, HTTP 401/403). Default true.
   */
  partialResults?: boolean
  /** Where credentials come from; default: graphql-ws `connectionParams`, Yoga's `request`, then `req`. */
  getInput?: AuthInputReader
}

type Context = Record<string, unknown>

interface SubscribeResultPayload {
  result: unknown
  setResult: (next: AsyncIterableIterator<ExecutionResult> | ExecutionResult) => void
}

/**
 * The Yoga/envelop plugin: authenticates each operation (lazily, once, when the first protected
 * field resolves; or eagerly), puts the result on the context, renders failures as GraphQL errors
 * (`extensions.code` `UNAUTHENTICATED` / `FORBIDDEN`; HTTP 401/403 with `WWW-Authenticate` when the
 * operation fails as a whole) and re-checks a subscription's credentials before every event.
 */
export function usePortcullis(
  auth: Auth,
  options: UsePortcullisOptions = {},
): Plugin<PortcullisContext & Context> {
  const runtime = new PortcullisRuntime(auth, options.getInput ?? readAuthInput)
  const partialResults = options.partialResults ?? true
  const eager = eagerGuard(options.eager)
  if (eager) runtime.compile(eager)
  // Signed requests in `strict` mode sign a hash of the raw body; keep a copy before Yoga parses it.
  const keepBody = auth.config.projects?.signedRequests.mode === 'strict'

  const render = ({ result, setResult }: { result: unknown; setResult: (next: ExecutionResult) => void }) => {
    if (isAsyncIterable(result)) return
    const rendered = renderOperationResult(result as ExecutionResult, partialResults)
    if (rendered !== result) setResult(rendered)
  }
  // One object for every operation: envelop only reads it.
  const executeHooks = { onExecuteDone: render }

  return {
    ...(keepBody && {
      async onRequestParse({ request }) {
        if (request.body !== null) keepRawBody(request, new Uint8Array(await request.clone().arrayBuffer()))
      },
    }),
    onSchemaChange({ schema }) {
      runtime.compileSchema(schema)
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operation = beginOperation(runtime, args.contextValue, false)
      if (!eager) return executeHooks
      const stopOn = (failure: ExecutionResult | undefined) => {
        if (!failure) return executeHooks
        setResultAndStopExecution(failure)
        return undefined
      }
      const failure = authenticateFirst(operation, eager)
      return failure instanceof Promise ? failure.then(stopOn) : stopOn(failure)
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const operation = beginOperation(runtime, args.contextValue, true)
      const hooks = {
        onSubscribeResult({ result, setResult }: SubscribeResultPayload) {
          if (isAsyncIterable<ExecutionResult>(result)) setResult(recheckEachEvent(result, operation))
          else render({ result, setResult })
        },
      }
      if (!eager) return hooks
      const stopOn = (failure: ExecutionResult | undefined) => {
        if (!failure) return hooks
        setResultAndStopExecution(failure)
        return undefined
      }
      const failure = authenticateFirst(operation, eager)
      return failure instanceof Promise ? failure.then(stopOn) : stopOn(failure)
    },
  }
}

/**
 * Eager authentication; on an auth failure, the result that stops the operation (HTTP 401/403).
 * Settled at once when nothing had to be awaited, so execution starts in the same tick. Hot path.
 */
function authenticateFirst(
  operation: OperationAuth,
  guard: FieldGuard,
): ExecutionResult | undefined | Promise<ExecutionResult | undefined> {
  try {
    const passed = operation.authenticateNow(guard)
    return passed instanceof Promise ? passed.then(() => undefined, stoppingResult) : undefined
  } catch (error) {
    return stoppingResult(error)
  }
}

function stoppingResult(error: unknown): ExecutionResult {
  if (error instanceof PortcullisAuthError)
    return { errors: [new PortcullisAuthError(error.authError, { http: true })] }
  throw error
}

function eagerGuard(eager: UsePortcullisOptions['eager']): FieldGuard | undefined {
  if (eager === undefined || eager === false) return undefined
  return createFieldGuard(eager === true ? { mode: 'jwt', optional: true } : eager)
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function'
}
