import { createHash, timingSafeEqual } from 'node:crypto'
import type { Request } from 'express'

/** Whether the request carries the admin key (`X-Admin-Key`), compared in constant time. */
export function isAdmin(req: Request, adminKey: string): boolean {
  const presented = req.get('x-admin-key')
  if (!presented) return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(presented), digest(adminKey))
}
