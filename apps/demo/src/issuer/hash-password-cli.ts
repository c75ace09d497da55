// Prints the scrypt string for a password, for users.yaml: `pnpm --filter @portcullis/demo hash-password 'secret'`.
import { hashPassword } from './password-hash.js'

const password = process.argv[2]
if (!password) {
  console.error('usage: pnpm --filter @portcullis/demo hash-password <password>')
  process.exit(2)
}
console.log(await hashPassword(password))
