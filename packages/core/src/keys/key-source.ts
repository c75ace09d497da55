import type { JwsAlgorithm } from '../jwt/algorithms.js'
import type { VerificationKey } from './verification-key.js'

/**
 * Where one issuer's verification keys come from. `resolveSigningKey` answers synchronously whenever the
 * key is already held (the common case, so the miss path awaits nothing), and returns a promise only when
 * it must load or refresh. It throws `AuthError` (`token_key_unknown`, `issuer_unavailable`).
 */
export interface KeySource {
  resolveSigningKey(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | Promise<VerificationKey>
  /** Loads keys ahead of the first request (optional warm-up). Never rejects. */
  warm(): Promise<void>
  close(): void
}
