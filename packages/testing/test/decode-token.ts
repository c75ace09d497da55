/** Decodes a compact JWS segment as JSON, for assertions on what was actually sent. */
export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[index] ?? ''
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
}
