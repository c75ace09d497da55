import { z } from 'zod'
import type { Preset } from './types.js'

// Mercury puts the user object in `sub`, which RFC 7519 says must be a string; only this preset accepts it.
const mercurySubject = z.object({
  uuid: z.string().min(1),
  email: z.string().min(3).optional(),
  name: z.string().optional(),
})

/** Wazobia's Mercury token service: RS512 access tokens with `sub: { uuid, email, name }`. */
export const mercuryPreset: Preset = {
  name: 'mercury',
  algorithms: ['RS512'],
  tokenType: 'access',
  objectSubject: true,
  check(claims) {
    if (claims.project_uuid !== undefined && typeof claims.project_uuid !== 'string')
      return 'project_uuid must be a string'
    return undefined
  },
  toUser(claims, issuer, scopes) {
    const parsed = mercurySubject.safeParse(claims.sub)
    if (!parsed.success) return 'sub must be a Mercury user object { uuid, email, name }'
    const { uuid, email, name } = parsed.data
    return {
      id: email ?? uuid,
      subject: uuid,
      issuer,
      scopes,
      ...(email !== undefined && { email }),
      ...(name !== undefined && { name }),
      ...(typeof claims.project_uuid === 'string' && { projectUuid: claims.project_uuid }),
    }
  },
}
