export { isTestAlg, TEST_ALGS, type TestAlg } from './algorithms.js'
export { buildCompactJws, type CompactJwsSigner } from './compact-jws.js'
export { createJwsSignature } from './jws-signature.js'
export type { FaultMode } from './loopback-server.js'
export {
  type MercuryAuthCall,
  type MercuryStandIn,
  type MercuryStandInCounts,
  type MercuryStandInOptions,
  type MercuryStandInProject,
  type MercuryStandInService,
  type MintProjectTokenOptions,
  type MintServiceTokenOptions,
  startMercuryStandIn,
} from './mercury-standin.js'
export {
  MERCURY_TEST_PROJECT_UUID,
  MERCURY_TEST_USER,
  type MercuryUser,
  type MintMercuryTokenOptions,
  mintMercuryToken,
} from './mint-mercury-token.js'
export {
  type RedisCluster,
  type RedisSentinel,
  type RedisServer,
  type RedisServerOptions,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
} from './redis-server.js'
export { startTestIssuer } from './start-test-issuer.js'
export type {
  NewKeySpec,
  SignOptions,
  SignRawOptions,
  TestIssuer,
  TestIssuerOptions,
} from './test-issuer.js'
export { type GenerateTestKeyOptions, generateTestKey, type TestKey } from './test-key.js'
