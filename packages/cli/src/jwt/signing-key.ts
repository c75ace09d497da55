import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'
import { CliError } from '../cli-error.js'

export interface SigningKey {
  key: KeyObject
  alg: string
  kid: string
}

/**
 * A private key from a file: PEM (PKCS#8, or PKCS#1 / SEC1) or a JWK (JSON, with `d`). The algorithm is the
 * JWK's `alg`, else `--alg`, else the key type's usual one; the key id is the JWK's `kid`, else `--kid`, else
 * the RFC 7638 thumbprint of the public key. The file's content is never printed.
 */
export async function readSigningKey(
  path: string,
  options: { alg?: string; kid?: string },
): Promise<SigningKey> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw CliError.config(
      `cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  let key: KeyObject
  let jwk: JWK | undefined
  try {
    if (text.trimStart().startsWith('{')) {
      jwk = JSON.parse(text) as JWK
      if (typeof jwk.d !== 'string') throw new Error('the JWK has no private part (`d`)')
      key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
    } else {
      key = createPrivateKey(text)
    }
  } catch (error) {
    throw CliError.config(`${path} is not a private key (PEM or JWK): ${(error as Error).message}`)
  }
  const alg = options.alg ?? jwk?.alg ?? defaultAlgorithm(key)
  if (!alg) throw CliError.usage(`cannot tell the algorithm of ${path}; give --alg`)
  const kid = options.kid ?? jwk?.kid ?? (await thumbprint(key))
  return { key, alg, kid }
}

function defaultAlgorithm(key: KeyObject): string | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256'
    case 'rsa-pss':
      return 'PS256'
    case 'ed25519':
      return 'EdDSA'
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve
      return curve === 'prime256v1'
        ? 'ES256'
        : curve === 'secp384r1'
          ? 'ES384'
          : curve === 'secp521r1'
            ? 'ES512'
            : undefined
    }
    default:
      return undefined
  }
}

async function thumbprint(key: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(createPublicKey(key)))
}
