/**
 * Exit codes scripts can rely on. They never change meaning; new outcomes get new numbers.
 *
 * | code | meaning                                                                     |
 * | ---- | --------------------------------------------------------------------------- |
 * | 0    | success (a token is valid, a revocation was written, the config is fine...) |
 * | 1    | usage: unknown command or option, bad argument, missing input               |
 * | 2    | authentication: the token is invalid, malformed or revoked; sign-in refused |
 * | 3    | configuration: the config file (or a key file) is missing or invalid        |
 * | 4    | unavailable: the issuer or Redis could not be reached, or answered 503      |
 * | 5    | internal: a bug in the CLI; the message says what happened                  |
 */
export const EXIT_CODES = {
  ok: 0,
  usage: 1,
  auth: 2,
  config: 3,
  unavailable: 4,
  internal: 5,
} as const

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]
