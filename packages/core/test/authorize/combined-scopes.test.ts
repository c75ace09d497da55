import { describe, expect, it } from 'vitest'
import { checkCombinedScopes } from '../../src/authorize/combined-scopes.js'

function outcome(fn: () => void): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return (error as { code: string }).code
  }
}

describe('scopes in combined mode', () => {
  const granted = { user: ['orders:read'], project: ['orders:write', 'billing:read'] }

  it('checks user scopes against the user and project scopes against the project', () => {
    expect(
      outcome(() =>
        checkCombinedScopes(granted, { userScopes: ['orders:read'], projectScopes: ['billing:read'] }),
      ),
    ).toBe('ok')
    expect(outcome(() => checkCombinedScopes(granted, { userScopes: ['orders:write'] }))).toBe(
      'insufficient_scope',
    )
    expect(outcome(() => checkCombinedScopes(granted, { projectScopes: ['orders:read'] }))).toBe(
      'insufficient_scope',
    )
  })

  it('requires plain scopes of both parties separately, so a project never lends a user its rights', () => {
    expect(outcome(() => checkCombinedScopes(granted, { scopes: ['orders:write'] }))).toBe(
      'insufficient_scope',
    )
    expect(outcome(() => checkCombinedScopes({ user: ['a'], project: ['a'] }, { scopes: ['a'] }))).toBe('ok')
  })

  it('pools the two only when merging is asked for', () => {
    expect(
      outcome(() =>
        checkCombinedScopes(granted, { scopes: ['orders:read', 'orders:write'], mergeScopes: true }),
      ),
    ).toBe('ok')
    expect(outcome(() => checkCombinedScopes(granted, { scopes: ['admin'], mergeScopes: true }))).toBe(
      'insufficient_scope',
    )
  })

  it('answers 403 naming the scopes that would do', () => {
    try {
      checkCombinedScopes(granted, { userScopes: ['orders:write'] })
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ status: 403, scopes: ['orders:write'] })
    }
  })

  it('passes when nothing is required', () => {
    expect(outcome(() => checkCombinedScopes({ user: [], project: [] }, {}))).toBe('ok')
  })
})
