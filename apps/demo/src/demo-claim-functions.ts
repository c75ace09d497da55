import type { ClaimFunction } from './issuer/dynamic-claims.js'

/**
 * Functions API-key configurations can name for dynamic claims (`function: billingPlan`). A real issuer
 * would ask its billing system; this one derives the plan from the user.
 */
export const demoClaimFunctions: Record<string, ClaimFunction> = {
  billingPlan: ({ email }) => (email.startsWith('ada@') ? 'enterprise' : 'free'),
}
