import type { Response } from 'express'

/** RFC 6749 §5.2 error body: `{ error, error_description }`, never cached. */
export function sendOAuthError(
  res: Response,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): void {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', ...headers })
    .json({ error, error_description: description })
}

/** Reads a string field of a JSON or form body; anything else is absent. */
export function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}
