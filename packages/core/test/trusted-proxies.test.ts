import { describe, expect, it } from 'vitest'
import { TrustedProxies } from '../src/rate-limit/client-address.js'

describe('TrustedProxies', () => {
  it('trusts exact addresses and ranges, IPv4, IPv6 and IPv4-mapped IPv6, and nothing else', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'])
    const verdicts = (addresses: string[]) => addresses.map((address) => proxies.trusts(address))
    const cases = ['10.1.2.3', '::ffff:10.9.9.9', '192.0.2.7', '192.0.2.8', '2001:db8::1', '2001:db9::1']
    const expected = [true, true, true, false, true, false]
    expect(verdicts(cases)).toEqual(expected)
    // Asked again (now from the remembered verdicts): the same answers.
    expect(verdicts(cases)).toEqual(expected)
    expect(verdicts(['', 'not-an-ip', '10.0.0.1, 10.0.0.2', '::ffff:'])).toEqual([false, false, false, false])
  })

  it('stays right after more distinct addresses than it remembers', () => {
    const proxies = new TrustedProxies(['10.0.0.0/16'])
    for (let i = 0; i < 10_000; i++) {
      const address = `10.${(i >> 8) & 1}.${i & 255}.${i % 7}`
      expect(proxies.trusts(address), address).toBe(((i >> 8) & 1) === 0)
    }
    expect(proxies.trusts('10.0.5.5')).toBe(true)
    expect(proxies.trusts('10.1.5.5')).toBe(false)
  })
})
