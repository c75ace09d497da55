import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Passwords are stored as PHC-style scrypt strings: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no
 * padding). scrypt is memory-hard, so a leaked users file costs an attacker real hardware per guess;
 * a plain SHA-256 would not.
 */
const DEFAULTS = { ln: 15, r: 8, p: 1 }
const KEY_LENGTH = 32
const PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

function derive(password: string, salt: Buffer, params: typeof DEFAULTS, length: number): Promise<Buffer> {
  const N = 2 ** params.ln
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r }
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, DEFAULTS, KEY_LENGTH)
  const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '')
  return `$scrypt$ln=${DEFAULTS.ln},r=${DEFAULTS.r},p=${DEFAULTS.p}$${b64(salt)}$${b64(key)}`
}

export function isPasswordHash(value: string): boolean {
  return PATTERN.test(value)
}

/** Constant-time check of a password against a stored scrypt string; false for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PATTERN.exec(stored)
  if (!match) return false
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string]
  const params = { ln: Number(ln), r: Number(r), p: Number(p) }
  if (params.ln < 10 || params.ln > 20) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), params, expected.length)
  return timingSafeEqual(actual, expected)
}

/** A hash that matches nothing, checked when the user is unknown so both answers take the same time. */
export const DUMMY_PASSWORD_HASH =
  '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
