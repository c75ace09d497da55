import type { RevocationView } from './revocation-view.js'

/** How long a subject cut-off is kept: long enough to outlive any token issued before it. */
export const SUBJECT_REVOCATION_RETENTION_MS = 7 * 24 * 3600 * 1000

type Instant = Date | number

/** `auth.revoke`: revoke and restore tokens, subjects and projects. Numbers are epoch seconds. */
export interface Revoker {
  /** Revoke one token by `jti` until it would have expired anyway. */
  token(jti: string, expiresAt: Instant): Promise<void>
  /** Revoke every token of `subject` issued before `before` (default: now). */
  subject(subject: string, before?: Instant): Promise<void>
  /** Revoke a project's credentials until restored. */
  project(projectId: string): Promise<void>
  undoToken(jti: string): Promise<void>
  undoSubject(subject: string): Promise<void>
  undoProject(projectId: string): Promise<void>
  /** Revoke a plain API key (by its id) until restored. */
  apiKey(keyId: string): Promise<void>
  undoApiKey(keyId: string): Promise<void>
}

/** The part of `Revoker` a revocation store implements; API keys ride on the project list. */
export type RevocationStore = Omit<Revoker, 'apiKey' | 'undoApiKey'>

/** Adds API-key revocation (kept in the project list as `apikey:<id>`) to a store's revoker. */
export function withApiKeys(store: RevocationStore): Revoker {
  return {
    ...store,
    apiKey: (keyId) => store.project(`apikey:${keyId}`),
    undoApiKey: (keyId) => store.undoProject(`apikey:${keyId}`),
  }
}

export function toEpochMs(instant: Instant): number {
  return instant instanceof Date ? instant.getTime() : instant * 1000
}

/** The embedded default: revocations live in this process only. */
export function createInProcessRevoker(view: Pick<RevocationView, 'apply'>): RevocationStore {
  return {
    async token(jti, expiresAt) {
      view.apply({ kind: 'token', id: jti, until: toEpochMs(expiresAt), revoked: true })
    },
    async subject(subject, before = new Date()) {
      const cutoff = toEpochMs(before)
      view.apply({
        kind: 'subject',
        id: subject,
        before: cutoff,
        until: cutoff + SUBJECT_REVOCATION_RETENTION_MS,
        revoked: true,
      })
    },
    async project(projectId) {
      view.apply({ kind: 'project', id: projectId, until: Number.POSITIVE_INFINITY, revoked: true })
    },
    async undoToken(jti) {
      view.apply({ kind: 'token', id: jti, until: 0, revoked: false })
    },
    async undoSubject(subject) {
      view.apply({ kind: 'subject', id: subject, before: 0, until: 0, revoked: false })
    },
    async undoProject(projectId) {
      view.apply({ kind: 'project', id: projectId, until: 0, revoked: false })
    },
  }
}
