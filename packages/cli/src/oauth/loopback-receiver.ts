import { timingSafeEqual } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printable } from './http.js'

/** The authorization response, once its `state` matched; `finish` answers the browser. */
export interface AuthorizationCallback {
  code: string
  /** Resolves once the page is sent. */
  finish(status: number, message: string): Promise<void>
}

export interface LoopbackReceiver {
  /** `http://127.0.0.1:<port>/callback` (RFC 8252 §7.3). */
  readonly redirectUri: string
  /**
   * The first request to `/callback` decides: a matching `state` with a `code` resolves; anything else (wrong
   * or missing `state`, another `iss`, an `error`) is refused with 400 and rejects, and nothing is exchanged.
   */
  readonly callback: Promise<AuthorizationCallback>
  close(): Promise<void>
}

export interface LoopbackReceiverOptions {
  state: string
  issuer: string
  timeoutMs: number
  /** 0 (default): any free port. */
  port?: number
}

/** Listens on 127.0.0.1 only, for one authorization response. */
export async function startLoopbackReceiver(options: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
  let settle: { resolve(value: AuthorizationCallback): void; reject(error: CliError): void } | undefined
  const callback = new Promise<AuthorizationCallback>((resolve, reject) => {
    settle = { resolve, reject }
  })
  // Never an unhandled rejection if the caller stopped waiting.
  callback.catch(() => {})
  let settled = false
  const fail = (res: ServerResponse, code: string, message: string) => {
    settled = true
    // Rejected once the page is out, so closing the receiver cannot cut the browser's answer short.
    void sendPage(res, 400, `Sign-in refused: ${message}`).then(() =>
      settle?.reject(new CliError(code, EXIT_CODES.auth, message)),
    )
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method !== 'GET' || url.pathname !== '/callback') return void sendPage(res, 404, 'Not found.')
    if (settled) return void sendPage(res, 409, 'This sign-in has already finished; return to the terminal.')
    const params = url.searchParams
    const state = params.get('state')
    if (state === null || !sameText(state, options.state)) {
      return fail(
        res,
        'state_mismatch',
        'the redirect carried a state this sign-in did not send (possible cross-site request forgery); nothing was exchanged',
      )
    }
    const iss = params.get('iss')
    if (iss !== null && iss !== options.issuer) {
      return fail(res, 'issuer_mismatch', `the redirect came from another issuer (${printable(iss, 200)})`)
    }
    const error = params.get('error')
    if (error !== null) {
      const description = params.get('error_description')
      return fail(
        res,
        'login_denied',
        `the issuer refused the sign-in: ${printable(error, 64)}${description ? `: ${printable(description)}` : ''}`,
      )
    }
    const code = params.get('code')
    if (!code) return fail(res, 'invalid_callback', 'the redirect carried no authorization code')
    settled = true
    settle?.resolve({ code, finish: (status, message) => sendPage(res, status, message) })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? CliError.usage(`port ${options.port} on 127.0.0.1 is in use; choose another --port (or 0)`)
          : error,
      ),
    )
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const timer = setTimeout(() => {
    settled = true
    settle?.reject(
      new CliError(
        'login_timeout',
        EXIT_CODES.auth,
        `no sign-in completed within ${Math.round(options.timeoutMs / 1000)} s`,
      ),
    )
  }, options.timeoutMs)
  const { port } = server.address() as AddressInfo
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    callback,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer)
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function sendPage(res: ServerResponse, status: number, message: string): Promise<void> {
  const escaped = message.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
  })
  return new Promise((resolve) => {
    res.once('close', resolve)
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>portcullis login</title></head><body><p>${escaped}</p></body></html>`,
      () => resolve(),
    )
  })
}
