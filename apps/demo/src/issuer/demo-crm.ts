import type { Router } from 'express'
import type { UsersFile } from './users.js'

/**
 * A stand-in for a CRM that dynamic claims call over HTTP: `/demo/crm/users/{user_id}` answers at once,
 * `/demo/crm/slow/{id}` answers only after 5 s (to show a timeout). Served by the issuer to keep the demo in
 * one process; it is reached over real HTTP like any other service.
 */
export function mountDemoCrm(router: Router, users: UsersFile): { close(): void } {
  const timers = new Set<NodeJS.Timeout>()
  router.get('/demo/crm/users/:userId', (req, res) => {
    const user = users.byUuid(req.params.userId)
    if (!user) return void res.status(404).json({ message: 'no such user' })
    const seats = user.scopes.length * 10
    res.json({ data: { account: { seats, plan: seats >= 30 ? 'enterprise' : 'team' } } })
  })
  router.get('/demo/crm/slow/:id', (_req, res) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!res.destroyed) res.json({ segment: 'late' })
    }, 5000)
    timers.add(timer)
  })
  return {
    close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
