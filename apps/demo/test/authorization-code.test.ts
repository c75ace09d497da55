import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimsOf, type IssuerUnderTest, startIssuerUnderTest } from './support.js'

const REDIRECT = 'http://127.0.0.1:53682/callback'
const ADA = { username: 'ada@demo.test', password: 'lovelace-demo' }

let it_: IssuerUnderTest
beforeAll(async () => {
  it_ = await startIssuerUnderTest()
})
afterAll(() => it_?.close())

function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL(`${it_.url}/authorize`)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.href
}

/** Opens the sign-in page and submits it as a browser would; returns the redirect it answers with. */
async function signIn(params: Record<string, string>, credentials = ADA): Promise<URL> {
  const page = await fetch(authorizeUrl(params))
  expect(page.status).toBe(200)
  const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  const answer = await fetch(`${it_.url}/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ request_id: requestId, ...credentials }),
    redirect: 'manual',
  })
  expect(answer.status).toBe(303)
  return new URL(answer.headers.get('location') ?? '')
}

const exchange = (body: Record<string, string>) =>
  it_.post('/token', { grant_type: 'authorization_code', ...body })

describe('authorization code with PKCE', () => {
  it('is advertised by discovery', async () => {
    const discovery = await it_.get('/.well-known/openid-configuration')
    expect(discovery.body).toMatchObject({
      authorization_endpoint: `${it_.url}/authorize`,
      token_endpoint: `${it_.url}/token`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    })
    expect(discovery.body.grant_types_supported).toContain('authorization_code')
  })

  it('signs in, returns code, state and iss to the loopback redirect, and exchanges the code once', async () => {
    const { verifier, challenge } = pkce()
    const redirect = await signIn({
      response_type: 'code',
      client_id: 'portcullis-cli',
      redirect_uri: REDIRECT,
      state: 'state-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'profile:read',
      login_hint: 'ada@demo.test',
    })
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT)
    expect(redirect.searchParams.get('state')).toBe('state-1')
    expect(redirect.searchParams.get('iss')).toBe(it_.url)
    const code = redirect.searchParams.get('code') ?? ''

    const wrong = await exchange({
      code,
      redirect_uri: REDIRECT,
      client_id: 'portcullis-cli',
      code_verifier: pkce().verifier,
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toBe('invalid_grant')

    // The failed attempt spent the code: PKCE failures do not leave it open to guessing.
    const late = await exchange({
      code,
      redirect_uri: REDIRECT,
      client_id: 'portcullis-cli',
      code_verifier: verifier,
    })
    expect(late.status).toBe(400)
  })

  it('issues access and refresh tokens for the right verifier, and revokes them when the code comes back', async () => {
    const { verifier, challenge } = pkce()
    const redirect = await signIn({
      response_type: 'code',
      client_id: 'portcullis-cli',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })
    const body = {
      code: redirect.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      client_id: 'portcullis-cli',
      code_verifier: verifier,
    }
    const tokens = await exchange(body)
    expect(tokens.status).toBe(200)
    expect(claimsOf(tokens.body.access_token)).toMatchObject({ type: 'access', iss: it_.url })
    expect(tokens.body.refresh_token).toMatch(/^rt\./)
    expect((await it_.post('/decode', { token: tokens.body.access_token })).status).toBe(200)

    const again = await exchange(body)
    expect(again.status).toBe(400)
    expect(again.body.error).toBe('invalid_grant')
    const decoded = await it_.post('/decode', { token: tokens.body.access_token })
    expect(decoded.body.code).toBe('token_revoked')
  })

  it('refuses unknown clients and non-loopback redirects on the page, never redirecting', async () => {
    const { challenge } = pkce()
    const base = { response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' }
    const unknown = await fetch(
      authorizeUrl({ ...base, client_id: 'someone-else', redirect_uri: REDIRECT }),
      { redirect: 'manual' },
    )
    expect(unknown.status).toBe(400)
    const remote = await fetch(
      authorizeUrl({ ...base, client_id: 'portcullis-cli', redirect_uri: 'https://evil.example/cb' }),
      { redirect: 'manual' },
    )
    expect(remote.status).toBe(400)
  })

  it('redirects with invalid_request when PKCE is missing or plain', async () => {
    for (const params of [{}, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }] as Record<
      string,
      string
    >[]) {
      const answer = await fetch(
        authorizeUrl({
          response_type: 'code',
          client_id: 'portcullis-cli',
          redirect_uri: REDIRECT,
          state: 's',
          ...params,
        }),
        { redirect: 'manual' },
      )
      expect(answer.status).toBe(303)
      const location = new URL(answer.headers.get('location') ?? '')
      expect(location.searchParams.get('error')).toBe('invalid_request')
      expect(location.searchParams.get('state')).toBe('s')
    }
  })

  it('shows the form again with 401 for a wrong password', async () => {
    const { challenge } = pkce()
    const page = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: 'portcullis-cli',
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
    const answer = await fetch(`${it_.url}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ request_id: requestId, username: 'grace@demo.test', password: 'nope' }),
      redirect: 'manual',
    })
    expect(answer.status).toBe(401)
    expect(await answer.text()).toContain('The email or password is wrong.')
  })
})
