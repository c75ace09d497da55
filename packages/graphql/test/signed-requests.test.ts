import { makeExecutableSchema } from '@graphql-tools/schema'
import { signRequest } from '@portcullis/core'
import type { TestIssuer } from '@portcullis/testing'
import { createYoga } from 'graphql-yoga'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  applyPortcullisDirectives,
  type PortcullisContext,
  portcullisDirectiveTypeDefs,
  usePortcullis,
} from '../src/index.js'
import { authFor, errorCodes, type GraphQLResponse, issuerForTest, serve } from './helpers.js'
import { appHeaders, mercuryForFile, PROJECT_A, projectConfig, SIGNING_SECRET } from './projects.js'

const mercury = mercuryForFile()
let issuer: TestIssuer

beforeEach(async () => {
  issuer = await issuerForTest()
})

async function serveSigned(mode: 'wazobia' | 'strict'): Promise<string> {
  const { auth } = authFor(
    issuer,
    projectConfig(mercury.current, {
      projects: { signingSecret: SIGNING_SECRET, signedRequests: { mode } },
    }),
  )
  const schema = makeExecutableSchema<PortcullisContext>({
    typeDefs: [portcullisDirectiveTypeDefs, 'type Query { project: String! @projectAuth }'],
    resolvers: {
      Query: {
        project: (_: unknown, __: unknown, context: PortcullisContext) => context.project?.projectUuid,
      },
    },
  })
  const yoga = createYoga({
    schema: applyPortcullisDirectives(schema),
    plugins: [usePortcullis(auth)],
    logging: false,
  })
  return (await serve(yoga)).url
}

/** Sends exactly `body` (the bytes that were signed) with the given headers. */
async function send(
  url: string,
  init: { method: 'GET' | 'POST'; body?: string; headers: Record<string, string> },
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: init.method,
    headers: {
      accept: 'application/graphql-response+json, application/json',
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body !== undefined && { body: init.body }),
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

const QUERY_BODY = JSON.stringify({ query: '{ project }' })

describe('signed requests (wazobia): method, path and query', () => {
  it('accepts a POST signed over method, path and timestamp, and refuses an unsigned one with 401', async () => {
    const url = await serveSigned('wazobia')
    const signature = signRequest(
      { method: 'POST', url: '/graphql' },
      { signingSecret: SIGNING_SECRET, mode: 'wazobia' },
    )
    const signed = await send(url, {
      method: 'POST',
      body: QUERY_BODY,
      headers: { ...appHeaders('app-a', 'secret-a'), ...signature },
    })
    expect(signed.body).toEqual({ data: { project: PROJECT_A } })
    const unsigned = await send(url, {
      method: 'POST',
      body: QUERY_BODY,
      headers: appHeaders('app-a', 'secret-a'),
    })
    expect(unsigned.status).toBe(401)
    expect(errorCodes(unsigned.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'request_signature_invalid', path: 'project' },
    ])
  })

  it('signs the query string of a GET as received', async () => {
    const url = await serveSigned('wazobia')
    const target = `/graphql?query=${encodeURIComponent('{ project }')}`
    const signature = signRequest(
      { method: 'GET', url: target },
      { signingSecret: SIGNING_SECRET, mode: 'wazobia' },
    )
    const headers = { ...appHeaders('app-a', 'secret-a'), ...signature }
    const origin = new URL(url).origin
    expect((await send(`${origin}${target}`, { method: 'GET', headers })).body).toEqual({
      data: { project: PROJECT_A },
    })
    const otherQuery = await send(`${origin}${target}&operationName=`, { method: 'GET', headers })
    expect(errorCodes(otherQuery.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'request_signature_invalid', path: 'project' },
    ])
  })
})

describe('signed requests (strict): the raw body too', () => {
  it('passes the raw body: a signed body is accepted, another body or a replay is refused', async () => {
    const url = await serveSigned('strict')
    const signature = signRequest(
      { method: 'POST', url: '/graphql', body: QUERY_BODY },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    const headers = { ...appHeaders('app-a', 'secret-a'), ...signature }
    expect((await send(url, { method: 'POST', body: QUERY_BODY, headers })).body).toEqual({
      data: { project: PROJECT_A },
    })
    const replay = await send(url, { method: 'POST', body: QUERY_BODY, headers })
    expect(replay.status).toBe(401)
    expect(errorCodes(replay.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'request_signature_invalid', path: 'project' },
    ])

    // A signature never used before, over a body other than the one sent.
    const signedBody = JSON.stringify({ query: '{ project }', variables: { page: 1 } })
    const fresh = signRequest(
      { method: 'POST', url: '/graphql', body: signedBody },
      { signingSecret: SIGNING_SECRET, mode: 'strict' },
    )
    const tampered = JSON.stringify({ query: '{ project }', variables: { page: 2 } })
    const refused = await send(url, {
      method: 'POST',
      body: tampered,
      headers: { ...appHeaders('app-a', 'secret-a'), ...fresh },
    })
    expect(refused.status).toBe(401)
    expect(errorCodes(refused.body)).toEqual([
      { code: 'UNAUTHENTICATED', auth: 'request_signature_invalid', path: 'project' },
    ])
  })
})
