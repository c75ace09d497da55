import { signLookup } from '../issuer/mercury-lookup.js'
import type { DemoManifest } from '../manifest.js'

/** Headers of a signed `GET /auth`, as core's Mercury client sends them. */
export function signLookupHeaders(basic: string): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
    ...signLookup('GET', '/auth', signingSecretForTour()),
  }
}

/** The demo's default SIGNATURE_SHARED_SECRET unless the environment sets one (as the demo itself reads it). */
export function signingSecretForTour(): string {
  return process.env.SIGNATURE_SHARED_SECRET || 'portcullis-demo-signature-secret'
}

/** The same in a shell: milliseconds, HMAC with openssl, Basic credentials with base64. */
export function signedLookupShell(manifest: DemoManifest, appId: string, secret: string): string {
  return [
    `TS=$(date +%s%3N); SIG=$(printf 'GET/auth%s' "$TS" | openssl dgst -sha256 -hmac '${signingSecretForTour()}' | sed 's/^.* //')`,
    `curl -i ${manifest.issuer}/auth -H "authorization: Basic $(printf '%s' '${appId}:${secret}:${manifest.serviceId}' | base64 -w0)" -H "x-timestamp: $TS" -H "x-signature: $SIG"`,
  ].join('\n')
}
