import { describe, expect, it } from 'vitest'
import {
  type AllowRulesConfigInput,
  allowRulesConfigSchema,
  checkAllowed,
  compileAllowRules,
} from '../../src/authorize/allow-rules.js'
import { ConfigError } from '../../src/config/errors.js'
import type { Claims, User } from '../../src/presets/types.js'

const ISSUER = 'https://idp.example'

function user(id: string, extra: Partial<User> = {}): User {
  return { id, subject: 'sub-1', issuer: ISSUER, scopes: [], ...extra }
}

function allowed(config: AllowRulesConfigInput, who: User | string, claims: Claims = {}): boolean {
  const rules = compileAllowRules(config)
  try {
    checkAllowed(typeof who === 'string' ? user(who) : who, rules, claims)
    return true
  } catch (error) {
    expect(error).toMatchObject({ code: 'access_denied', status: 403 })
    return false
  }
}

describe('allowed users', () => {
  it('matches exact ids, case-insensitively', () => {
    const config = { allowedUsers: ['Ada@Example.com', 'svc-robot'] }
    expect(allowed(config, 'ada@example.com')).toBe(true)
    expect(allowed(config, 'ADA@EXAMPLE.COM')).toBe(true)
    expect(allowed(config, 'SVC-Robot')).toBe(true)
    expect(allowed(config, 'ada@example.co')).toBe(false)
    expect(allowed(config, 'ada@example.com.evil.org')).toBe(false)
    expect(allowed(config, 'xada@example.com')).toBe(false)
  })

  it('refuses ids with more than one @', () => {
    expect(allowed({ allowedUsers: ['ada@example.com'] }, 'ada@example.com@evil.org')).toBe(false)
    expect(allowed({ allowedUsers: ['ada@example.com'] }, 'evil.org@ada@example.com')).toBe(false)
  })
})

describe('allowed domains', () => {
  const config = { allowedDomains: ['example.com'] }

  it('matches the exact domain of an email-like id', () => {
    expect(allowed(config, 'ada@example.com')).toBe(true)
    expect(allowed(config, 'ada@EXAMPLE.com')).toBe(true)
    expect(allowed(config, 'ada@example.com.')).toBe(true)
  })

  it('is not fooled by suffixes, prefixes or look-alike separators', () => {
    for (const id of [
      'ada@example.com.evil.org',
      'ada@evil-example.com',
      'ada@evilexample.com',
      'ada@example.co',
      'ada@example.com..',
      'ada@example.com%00',
      'ada@example.com/evil',
      'ada@example.com\\evil',
      'ada@example.com?x',
      'ada@example.com:443',
      'ada@example.com／evil',
      'example.com',
      '@example.com',
      'ada@',
      'ada.example.com',
    ]) {
      expect(allowed(config, id), id).toBe(false)
    }
  })

  it('leaves subdomains out unless allowSubdomains is set', () => {
    expect(allowed(config, 'ada@mail.example.com')).toBe(false)
    expect(allowed({ ...config, allowSubdomains: true }, 'ada@mail.example.com')).toBe(true)
    expect(allowed({ ...config, allowSubdomains: true }, 'ada@a.b.example.com')).toBe(true)
    expect(allowed({ ...config, allowSubdomains: true }, 'ada@mailexample.com')).toBe(false)
    expect(allowed({ ...config, allowSubdomains: true }, 'ada@example.com.evil.org')).toBe(false)
  })

  it('refuses look-alike letters from other scripts, comparing in IDNA ASCII form', () => {
    expect(allowed(config, 'ada@exаmple.com')).toBe(false) // Cyrillic а
    expect(allowed(config, 'ada@examp1e.com')).toBe(false)
    expect(allowed(config, 'ada@ｅxample.com')).toBe(true) // fullwidth ｅ is the same host name under IDNA
    expect(allowed(config, 'ada@example。com．')).toBe(true) // so are ideographic and fullwidth full stops
  })

  it('matches internationalized domains in Unicode or punycode form alike', () => {
    const idn = { allowedDomains: ['bücher.example'] }
    expect(allowed(idn, 'ada@bücher.example')).toBe(true)
    expect(allowed(idn, 'ada@xn--bcher-kva.example')).toBe(true)
    expect(allowed(idn, 'ada@bucher.example')).toBe(false)
  })

  it('refuses ids with more than one @ even when the last part is the domain', () => {
    expect(allowed(config, 'ada@evil.org@example.com')).toBe(false)
    expect(allowed(config, 'ada"@evil.org"@example.com')).toBe(false)
  })

  it('refuses an email the identity provider says is unverified, unless told otherwise', () => {
    const unverified = user('ada@example.com', { email: 'ada@example.com', emailVerified: false })
    expect(allowed(config, unverified)).toBe(false)
    expect(allowed({ ...config, requireVerifiedEmail: false }, unverified)).toBe(true)
    expect(allowed(config, user('ada@example.com', { emailVerified: true }))).toBe(true)
  })

  it('refuses an invalid domain in configuration, naming the field', () => {
    expect(() => compileAllowRules({ allowedDomains: ['exa mple.com'] })).toThrow(ConfigError)
    expect(() => compileAllowRules({ allowedDomains: ['exa mple.com'] })).toThrow(/allowedDomains\[0\]/)
  })
})

describe('allowed user patterns', () => {
  it('matches the whole id, case-insensitively', () => {
    const config = { allowedUserRegex: '[a-z]+\\.admin@corp\\.com' }
    expect(allowed(config, 'ada.admin@corp.com')).toBe(true)
    expect(allowed(config, 'Ada.Admin@Corp.com')).toBe(true)
    expect(allowed(config, 'ada.admin@corp.com.evil.org')).toBe(false)
    expect(allowed(config, 'x-ada.admin@corp.com')).toBe(false)
  })

  it('refuses patterns that could backtrack catastrophically, at compile time', () => {
    for (const pattern of ['(a+)+$', '([a-z]*)*@corp\\.com', '(x+x+)+y', '^(\\w+\\s?)*$']) {
      expect(() => compileAllowRules({ allowedUserRegex: [pattern] }), pattern).toThrow(
        /allowedUserRegex\[0\]/,
      )
    }
    expect(allowRulesConfigSchema.safeParse({ allowedUserRegex: '(a+)+$' }).success).toBe(false)
    expect(() => compileAllowRules({ allowedUserRegex: '[' })).toThrow(/does not compile/)
  })

  it('answers quickly on a long hostile id', () => {
    const rules = compileAllowRules({ allowedUserRegex: '[a-z.]+@corp\\.com' })
    const started = performance.now()
    expect(() => checkAllowed(user(`${'a'.repeat(100_000)}!`), rules)).toThrow()
    expect(performance.now() - started).toBeLessThan(50)
  })
})

describe('combining rules', () => {
  it('grants on any identity rule, and lets any user through when there is none', () => {
    const config = {
      allowedUsers: ['bob@other.org'],
      allowedDomains: ['example.com'],
      allowedUserRegex: 'ops-.*',
    }
    expect(allowed(config, 'bob@other.org')).toBe(true)
    expect(allowed(config, 'ada@example.com')).toBe(true)
    expect(allowed(config, 'ops-robot')).toBe(true)
    expect(allowed(config, 'eve@other.org')).toBe(false)
    expect(allowed({}, 'anyone')).toBe(true)
    expect(compileAllowRules({}).empty).toBe(true)
    expect(compileAllowRules(config).empty).toBe(false)
  })

  it('requires every claim matcher, or any with claimsMatch any', () => {
    const claims = {
      groups: ['staff', 'admins'],
      hd: 'corp.com',
      tid: 't-2',
      realm_access: { roles: ['ops'] },
    }
    expect(
      allowed(
        {
          claims: [
            { claim: 'groups', contains: 'admins' },
            { claim: 'hd', equals: 'corp.com' },
          ],
        },
        'x',
        claims,
      ),
    ).toBe(true)
    expect(
      allowed(
        {
          claims: [
            { claim: 'groups', contains: 'root' },
            { claim: 'hd', equals: 'corp.com' },
          ],
        },
        'x',
        claims,
      ),
    ).toBe(false)
    expect(
      allowed(
        {
          claimsMatch: 'any',
          claims: [
            { claim: 'groups', contains: 'root' },
            { claim: 'hd', equals: 'corp.com' },
          ],
        },
        'x',
        claims,
      ),
    ).toBe(true)
    expect(allowed({ claims: [{ claim: 'tid', in: ['t-1', 't-2'] }] }, 'x', claims)).toBe(true)
    expect(allowed({ claims: [{ claim: 'tid', in: ['t-1'] }] }, 'x', claims)).toBe(false)
    expect(allowed({ claims: [{ claim: 'realm_access.roles', contains: 'ops' }] }, 'x', claims)).toBe(true)
    expect(allowed({ claims: [{ claim: 'scope', contains: 'write' }] }, 'x', { scope: 'read write' })).toBe(
      true,
    )
    expect(allowed({ claims: [{ claim: 'hd', matches: '[a-z]+\\.com' }] }, 'x', claims)).toBe(true)
    expect(allowed({ claims: [{ claim: 'groups', contains: 'admins' }] }, 'x')).toBe(false)
  })

  it('requires identity rules and claim matchers together', () => {
    const config = { allowedDomains: ['example.com'], claims: [{ claim: 'groups', contains: 'admins' }] }
    expect(allowed(config, 'ada@example.com', { groups: ['admins'] })).toBe(true)
    expect(allowed(config, 'ada@example.com', { groups: ['staff'] })).toBe(false)
    expect(allowed(config, 'eve@other.org', { groups: ['admins'] })).toBe(false)
  })

  it('never reads claims through the prototype chain, and refuses such paths in configuration', () => {
    expect(allowed({ claims: [{ claim: 'toString', equals: 'x' }] }, 'x', {})).toBe(false)
    expect(() => compileAllowRules({ claims: [{ claim: '__proto__.polluted', equals: true }] })).toThrow(
      ConfigError,
    )
    expect(() => compileAllowRules({ claims: [{ claim: 'groups', contains: 'a', equals: 'b' }] })).toThrow(
      /exactly one/,
    )
  })

  it('applies a custom predicate with the user and the claims', () => {
    const config = {
      predicate: (who: User, claims: Claims) => who.id.endsWith('@example.com') && claims.mfa === true,
    }
    expect(allowed(config, 'ada@example.com', { mfa: true })).toBe(true)
    expect(allowed(config, 'ada@example.com', { mfa: false })).toBe(false)
  })

  it('judges a user by their issuer rules when that issuer has some, else by the global ones', () => {
    const config = {
      allowedDomains: ['example.com'],
      issuers: { 'https://accounts.google.com': { allowedUsers: ['friend@gmail.com'] } },
    }
    expect(allowed(config, 'ada@example.com')).toBe(true)
    expect(allowed(config, user('friend@gmail.com', { issuer: 'https://accounts.google.com' }))).toBe(true)
    expect(allowed(config, user('ada@example.com', { issuer: 'https://accounts.google.com' }))).toBe(false)
    expect(allowed(config, 'friend@gmail.com')).toBe(false)
  })

  it('takes a route override as its own compiled rules', () => {
    const global = compileAllowRules({ allowedDomains: ['example.com'] })
    const route = compileAllowRules({ allowedUsers: ['root@example.com'] })
    expect(() => checkAllowed(user('ada@example.com'), global)).not.toThrow()
    expect(() => checkAllowed(user('ada@example.com'), route)).toThrow()
    expect(() => checkAllowed(user('root@example.com'), route)).not.toThrow()
  })

  it('tells the client nothing about the rules', () => {
    const rules = compileAllowRules({ allowedDomains: ['secret-partner.example'] })
    try {
      checkAllowed(user('eve@other.org'), rules)
      expect.unreachable()
    } catch (error) {
      const text = JSON.stringify(error) + String((error as Error).message)
      expect(text).not.toContain('secret-partner')
    }
  })

  it('accepts only rules made by compileAllowRules', () => {
    expect(() => checkAllowed(user('x'), { global: {}, issuers: new Map(), empty: true } as never)).toThrow(
      TypeError,
    )
  })
})
