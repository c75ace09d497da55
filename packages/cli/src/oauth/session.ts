import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'
import type { CredentialsStore, StoredCredential } from '../store/credentials-store.js'
import type { TokenResponse } from './token-endpoint.js'
import { requestTokens } from './token-endpoint.js'

/** A token this close to its expiry counts as expired: it could lapse on its way to the API. */
export const EXPIRY_MARGIN_SEC = 30

export function isFresh(credential: StoredCredential, nowSec = Date.now() / 1000): boolean {
  return credential.expiresAt === undefined || credential.expiresAt - EXPIRY_MARGIN_SEC > nowSec
}

/** Exchanges the stored refresh token (the issuer rotates it), stores and returns the new credential. */
export async function refreshCredential(
  store: CredentialsStore,
  credential: StoredCredential,
): Promise<StoredCredential> {
  if (!credential.refreshToken) {
    throw new CliError(
      'login_expired',
      EXIT_CODES.auth,
      `the sign-in to ${credential.issuer} expired and has no refresh token; run portcullis login again`,
    )
  }
  const tokens = await requestTokens(credential.tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: credential.refreshToken,
    client_id: credential.clientId,
  })
  const refreshed = toCredential(credential, tokens)
  await store.save(refreshed)
  return refreshed
}

export function toCredential(
  session: Pick<
    StoredCredential,
    'issuer' | 'clientId' | 'tokenEndpoint' | 'revocationEndpoint' | 'refreshToken' | 'scope'
  >,
  tokens: TokenResponse,
): StoredCredential {
  const refreshToken = tokens.refreshToken ?? session.refreshToken
  const scope = tokens.scope ?? session.scope
  return {
    issuer: session.issuer,
    clientId: session.clientId,
    accessToken: tokens.accessToken,
    ...(refreshToken !== undefined && { refreshToken }),
    tokenType: tokens.tokenType,
    ...(scope !== undefined && { scope }),
    ...(tokens.expiresAt !== undefined && { expiresAt: tokens.expiresAt }),
    obtainedAt: Math.floor(Date.now() / 1000),
    tokenEndpoint: session.tokenEndpoint,
    ...(session.revocationEndpoint !== undefined && { revocationEndpoint: session.revocationEndpoint }),
  }
}

/** What may be shown of a credential: never the tokens themselves. */
export function describeCredential(credential: StoredCredential, file: string) {
  return {
    issuer: credential.issuer,
    clientId: credential.clientId,
    scope: credential.scope ?? null,
    expiresAt:
      credential.expiresAt === undefined ? null : new Date(credential.expiresAt * 1000).toISOString(),
    refreshable: credential.refreshToken !== undefined,
    credentialsFile: file,
  }
}
