import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'
import { DUMMY_PASSWORD_HASH, isPasswordHash, verifyPassword } from './password-hash.js'

/** A person who can sign in. Their token's `sub` is `{ uuid, email, name }` (Mercury's shape). */
export interface DemoUser {
  uuid: string
  email: string
  name: string
  /** The most a token of theirs may carry; a request may ask for fewer. */
  scopes: readonly string[]
  /** `project_uuid` of their tokens unless the request names another of theirs. */
  projectUuid: string
}

/**
 * Checks a username and password. The users file is one; an LDAP bind (ldapts) would be another: implement
 * this interface and list it in `createIssuer({ passwordVerifiers })` (see README, "LDAP").
 */
export interface PasswordVerifier {
  readonly name: string
  /** The user when the password is right; undefined when it is wrong or the user unknown (never says which). */
  verify(username: string, password: string): Promise<DemoUser | undefined>
}

const userSchema = z
  .object({
    uuid: z.string().min(1),
    email: z.email(),
    name: z.string().min(1),
    password_hash: z
      .string()
      .refine(isPasswordHash, 'must be a scrypt string ($scrypt$ln=..); never a plain hash'),
    scopes: z.array(z.string().min(1)).default([]),
    project_uuid: z.string().min(1),
  })
  .strict()

const usersFileSchema = z.object({ users: z.array(userSchema).min(1) }).strict()

/** The users file: `users.yaml`, scrypt-hashed passwords, looked up by email (case-insensitive). */
export class UsersFile implements PasswordVerifier {
  readonly name = 'users-file'
  readonly #byEmail: Map<string, { user: DemoUser; passwordHash: string }>

  private constructor(entries: z.output<typeof usersFileSchema>['users']) {
    this.#byEmail = new Map(
      entries.map((entry) => [
        entry.email.toLowerCase(),
        {
          passwordHash: entry.password_hash,
          user: {
            uuid: entry.uuid,
            email: entry.email,
            name: entry.name,
            scopes: entry.scopes,
            projectUuid: entry.project_uuid,
          },
        },
      ]),
    )
  }

  static async load(path: string): Promise<UsersFile> {
    const parsed = usersFileSchema.safeParse(parse(await readFile(path, 'utf8')))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`)
    }
    return new UsersFile(parsed.data.users)
  }

  async verify(username: string, password: string): Promise<DemoUser | undefined> {
    const entry = this.#byEmail.get(username.trim().toLowerCase())
    // Unknown users cost one scrypt too, so timing does not tell which emails exist.
    const ok = await verifyPassword(password, entry?.passwordHash ?? DUMMY_PASSWORD_HASH)
    return ok && entry ? entry.user : undefined
  }

  byEmail(email: string): DemoUser | undefined {
    return this.#byEmail.get(email.toLowerCase())?.user
  }

  byUuid(uuid: string): DemoUser | undefined {
    for (const { user } of this.#byEmail.values()) if (user.uuid === uuid) return user
    return undefined
  }

  list(): DemoUser[] {
    return [...this.#byEmail.values()].map(({ user }) => user)
  }
}
