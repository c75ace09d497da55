import type { z } from 'zod'

/** Configuration is wrong: thrown at start-up, naming each field at fault (`issuers[0].audience: ...`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: readonly { path: string; message: string }[]

  constructor(issues: readonly { path: string; message: string }[], source?: string) {
    const where = source ? ` (${source})` : ''
    super(
      `Invalid Portcullis configuration${where}:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    )
    this.issues = issues
  }

  static fromZod(error: z.ZodError, source?: string): ConfigError {
    return new ConfigError(
      error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
      source,
    )
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  )
}
