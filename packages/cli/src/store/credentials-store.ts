import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CliError } from '../cli-error.js'

/** One signed-in session, as `portcullis login` keeps it. */
export interface StoredCredential {
  issuer: string
  clientId: string
  accessToken: string
  refreshToken?: string
  tokenType: string
  scope?: string
  /** Epoch seconds; absent when the issuer did not say. */
  expiresAt?: number
  obtainedAt: number
  tokenEndpoint: string
  revocationEndpoint?: string
}

interface CredentialsFile {
  version: 1
  credentials: StoredCredential[]
}

/**
 * Where the CLI keeps its state: `$PORTCULLIS_CLI_HOME`, else `$XDG_CONFIG_HOME/portcullis`, else
 * `~/.config/portcullis` (`%APPDATA%\portcullis` on Windows).
 */
export function cliHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.PORTCULLIS_CLI_HOME) return env.PORTCULLIS_CLI_HOME
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'portcullis')
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'portcullis')
  return join(homedir(), '.config', 'portcullis')
}

/**
 * `credentials.json` in the CLI home: readable by its owner only (directory 0700, file 0600), replaced
 * atomically on every write so a crash never leaves half a file.
 */
export class CredentialsStore {
  readonly dir: string
  readonly path: string

  constructor(dir: string) {
    this.dir = dir
    this.path = join(dir, 'credentials.json')
  }

  async list(): Promise<StoredCredential[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw CliError.config(`cannot read ${this.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    try {
      const file = JSON.parse(text) as CredentialsFile
      return Array.isArray(file.credentials) ? file.credentials : []
    } catch {
      throw CliError.config(`${this.path} is not valid JSON; remove it and sign in again`)
    }
  }

  /** The credential for this issuer and client; either may be left out when only one credential matches. */
  async find(issuer?: string, clientId?: string): Promise<StoredCredential | undefined> {
    const matches = (await this.list()).filter(
      (credential) =>
        (issuer === undefined || credential.issuer === issuer) &&
        (clientId === undefined || credential.clientId === clientId),
    )
    if (matches.length > 1) {
      throw CliError.usage(
        `several sign-ins match (${matches.map((m) => `${m.issuer} as ${m.clientId}`).join(', ')}); give --issuer and --client-id`,
      )
    }
    return matches[0]
  }

  async save(credential: StoredCredential): Promise<void> {
    const others = (await this.list()).filter((c) => !sameSession(c, credential))
    await this.#write({ version: 1, credentials: [...others, credential] })
  }

  /** Removes a credential; whether there was one. */
  async remove(credential: Pick<StoredCredential, 'issuer' | 'clientId'>): Promise<boolean> {
    const all = await this.list()
    const kept = all.filter((c) => !sameSession(c, credential))
    if (kept.length === all.length) return false
    await this.#write({ version: 1, credentials: kept })
    return true
  }

  async #write(file: CredentialsFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const temporary = `${this.path}.${process.pid}.tmp`
    try {
      // Created 0600 from the start ('wx': never reusing a file left by a crash with other permissions), so
      // the tokens are never readable by others, not even for a moment.
      await rm(temporary, { force: true })
      await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
      await chmod(temporary, 0o600)
      await rename(temporary, this.path)
    } catch (error) {
      await rm(temporary, { force: true })
      throw CliError.config(`cannot write ${this.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
}

function sameSession(
  a: Pick<StoredCredential, 'issuer' | 'clientId'>,
  b: Pick<StoredCredential, 'issuer' | 'clientId'>,
): boolean {
  return a.issuer === b.issuer && a.clientId === b.clientId
}
