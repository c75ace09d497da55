import { makeExecutableSchema } from '@graphql-tools/schema'
import type { Auth, AuthInput } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { type ExecutionResult, execute, type GraphQLSchema, parse } from 'graphql'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  requiresJwtAuth,
  type UsePortcullisOptions,
  usePortcullis,
} from '../src/index.js'
import { type AuthForTest, authFor, issuerForTest } from './helpers.js'
import { pothosSchema } from './pothos-schema.js'
import { directiveSchema } from './schema.js'

// graphql-js executes synchronously, and returns a plain result instead of a promise, when no resolver
// returns a promise: what these tests look at to tell whether a protected field had to wait.

let issuer: TestIssuer
let counted: AuthForTest

beforeEach(async () => {
  issuer = await issuerForTest()
  counted = authFor(issuer)
})

type Outcome = ExecutionResult | Promise<ExecutionResult>

interface ExecuteHooks {
  onExecuteDone?: (payload: { result: ExecutionResult; setResult: (next: ExecutionResult) => void }) => void
}

/**
 * Runs operations the way Yoga does around graphql-js `execute`: the plugin's `onExecute` first, its
 * `onExecuteDone` on the result, each awaited only when it returned a promise.
 */
function executorFor(auth: Auth, schema: GraphQLSchema, options: UsePortcullisOptions = {}) {
  const plugin = usePortcullis(auth, options)
  plugin.onSchemaChange?.({ schema, replaceSchema: () => undefined } as never)
  return (query: string, token?: string): Outcome => {
    const contextValue = {
      request: new Request('http://127.0.0.1/graphql', {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
    }
    const document = parse(query)
    let stopped: ExecutionResult | undefined
    const run = (hooks: ExecuteHooks | undefined): Outcome => {
      if (stopped) return stopped
      const finish = (result: ExecutionResult) => {
        let final = result
        hooks?.onExecuteDone?.({ result, setResult: (next) => (final = next) })
        return final
      }
      const result = execute({ schema, document, contextValue }) as Outcome
      return result instanceof Promise ? result.then(finish) : finish(result)
    }
    const hooks = plugin.onExecute?.({
      args: { schema, document, contextValue },
      setResultAndStopExecution: (result: ExecutionResult) => {
        stopped = result
      },
    } as never) as ExecuteHooks | Promise<ExecuteHooks | undefined> | undefined
    return hooks instanceof Promise ? hooks.then(run) : run(hooks)
  }
}

/** The same Auth, counting how many times an adapter asks it to authenticate. */
function countingAuthentications(auth: Auth): { auth: Auth; calls: () => number } {
  let calls = 0
  const observed = new Proxy(auth, {
    get(target, key) {
      if (key === 'authenticate' || key === 'authenticateNow') {
        return (input: AuthInput, policy: Parameters<Auth['authenticate']>[1]) => {
          calls++
          return target[key](input, policy)
        }
      }
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { auth: observed, calls: () => calls }
}

/** What a client would read of a result: JSON, so errors compare by message, path and extensions. */
function asJson(result: ExecutionResult): unknown {
  return JSON.parse(JSON.stringify(result))
}

describe('protected fields served from the cache execute synchronously', () => {
  it('waits for the first request (keys fetched), not for the next one with the same token', async () => {
    const run = executorFor(counted.auth, directiveSchema())
    const token = await issuer.sign({ email: 'ada@example.test' })
    const query = '{ hello secret me { id hasToken } }'

    const first = run(query, token)
    expect(first).toBeInstanceOf(Promise)
    const expected = {
      data: { hello: 'world', secret: 'the secret', me: { id: 'ada@example.test', hasToken: true } },
    }
    expect(await first).toEqual(expected)

    const second = run(query, token)
    expect(second).not.toBeInstanceOf(Promise)
    expect(second).toEqual(expected)
  })

  it('a field policy refusing a cached result fails at once, with the errors a cold request gets', async () => {
    const run = executorFor(counted.auth, directiveSchema())
    const token = await issuer.sign({ scope: 'read' })
    await run('{ secret }', token)

    for (const query of ['{ secret adminReport }', '{ hello requiredAdminReport }']) {
      // A fresh Auth: nothing cached, keys fetched again.
      const cold = executorFor(authFor(issuer).auth, directiveSchema())(query, token)
      expect(cold).toBeInstanceOf(Promise)
      const warm = run(query, token)
      expect(warm).not.toBeInstanceOf(Promise)
      expect(asJson(warm as ExecutionResult)).toEqual(asJson(await cold))
    }
    const partial = run('{ secret adminReport }', token) as ExecutionResult
    expect(partial.data).toEqual({ secret: 'the secret', adminReport: null })
    expect(partial.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
      [['adminReport'], 'FORBIDDEN'],
    ])
    const failed = run('{ hello requiredAdminReport }', token) as ExecutionResult
    expect(failed.data).toBeNull()
    expect(failed.errors?.map((error) => error.extensions.http)).toEqual([
      expect.objectContaining({ status: 403 }),
    ])
  })

  it('a request without credentials is refused at once with UNAUTHENTICATED, the open fields answered', () => {
    const run = executorFor(counted.auth, directiveSchema())

    const result = run('{ hello secret }')

    expect(result).not.toBeInstanceOf(Promise)
    expect((result as ExecutionResult).data).toEqual({ hello: 'world', secret: null })
    expect((result as ExecutionResult).errors?.map((error) => error.extensions.code)).toEqual([
      'UNAUTHENTICATED',
    ])
  })

  it('a protected resolver that returns a promise is waited for, and only it', async () => {
    const schema = applyPortcullisDirectives(
      makeExecutableSchema<PortcullisContext>({
        typeDefs: [
          portcullisDirectiveTypeDefs,
          'type Query { slow: String @jwtAuth, fast: String @jwtAuth }',
        ],
        resolvers: { Query: { slow: async () => 'later', fast: () => 'now' } },
      }),
    )
    const run = executorFor(counted.auth, schema)
    const token = await issuer.sign()
    await run('{ fast }', token)

    expect(run('{ fast }', token)).toEqual({ data: { fast: 'now' } })
    const slow = run('{ fast slow }', token)
    expect(slow).toBeInstanceOf(Promise)
    expect(await slow).toEqual({ data: { fast: 'now', slow: 'later' } })
  })

  it('Pothos fields, and eager authentication, answer at once from the cache too', async () => {
    const pothos = executorFor(counted.auth, pothosSchema({} as never))
    const eager = executorFor(counted.auth, directiveSchema(), { eager: true })
    const token = await issuer.sign({ email: 'ada@example.test', scope: 'reports:read' })
    await pothos('{ me }', token)

    const answered = pothos('{ me report account { id } }', token)
    expect(answered).not.toBeInstanceOf(Promise)
    expect(answered).toEqual({ data: { me: 'ada@example.test', report: 'report', account: { id: 'a-1' } } })
    const eagerly = eager('{ whoAmI secret }', token)
    expect(eagerly).not.toBeInstanceOf(Promise)
    expect(eagerly).toEqual({ data: { whoAmI: 'ada@example.test', secret: 'the secret' } })
  })

  it('eager authentication refusing a cached token stops the operation at once with its 403', async () => {
    const eager = executorFor(counted.auth, directiveSchema(), { eager: { mode: 'jwt', scopes: ['api'] } })
    const token = await issuer.sign({ scope: 'read' })
    await eager('{ hello }', token)

    const refused = eager('{ hello secret }', token)

    expect(refused).not.toBeInstanceOf(Promise)
    expect((refused as ExecutionResult).data).toBeUndefined()
    expect((refused as ExecutionResult).errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: 'FORBIDDEN', http: expect.objectContaining({ status: 403 }) }),
    ])
  })

  it('requiresJwtAuth resolvers still return a promise, as their type says, even from the cache', async () => {
    const schema = makeExecutableSchema<PortcullisContext>({
      typeDefs: 'type Query { profile: String }',
      resolvers: { Query: { profile: requiresJwtAuth((_source, _args, context) => context.user.id) } },
    })
    const run = executorFor(counted.auth, schema)
    const token = await issuer.sign({ email: 'ada@example.test' })
    await run('{ profile }', token)

    const result = run('{ profile }', token)

    expect(result).toBeInstanceOf(Promise)
    expect(await result).toEqual({ data: { profile: 'ada@example.test' } })
  })
})

describe('one authentication per operation', () => {
  it('parallel protected fields share one authentication, cold or from the cache', async () => {
    const observed = countingAuthentications(counted.auth)
    const run = executorFor(observed.auth, directiveSchema())
    const token = await issuer.sign({ scope: 'read' })
    const query = '{ secret requiredSecret me { id } items { secret } adminReport }'

    const cold = await run(query, token)
    expect(observed.calls()).toBe(1)
    const warm = run(query, token)
    expect(warm).not.toBeInstanceOf(Promise)
    expect(observed.calls()).toBe(2)
    expect(asJson(warm as ExecutionResult)).toEqual(asJson(cold))
    expect((warm as ExecutionResult).errors?.map((error) => error.path)).toEqual([['adminReport']])
  })

  it('bad credentials fail every protected field with the same error, authenticating once', async () => {
    const observed = countingAuthentications(counted.auth)
    const run = executorFor(observed.auth, directiveSchema())
    const expired = await issuer.sign({}, { expiresIn: -300 })

    for (const round of [1, 2]) {
      const result = run('{ hello secret me { id } items { secret } }', expired)
      expect(result).toBeInstanceOf(Promise)
      const { data, errors } = await result
      expect(observed.calls()).toBe(round)
      expect(data).toEqual({
        hello: 'world',
        secret: null,
        me: null,
        items: [1, 2, 3, 4, 5].map(() => ({ secret: null })),
      })
      expect(errors).toHaveLength(7)
      expect(new Set(errors?.map((error) => error.originalError))).toHaveProperty('size', 1)
      expect(errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    }
  })
})
