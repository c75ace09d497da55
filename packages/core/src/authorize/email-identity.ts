import { domainToASCII } from 'node:url'

/**
 * The domain of an email-like id in comparable form, or undefined when the id is not email-like: exactly
 * one `@`, a non-empty local part, and a domain that IDNA accepts. The domain is lower-cased, one trailing
 * dot dropped, and converted to its ASCII (punycode) form, so `Example.COM.` compares equal to
 * `example.com`, while a look-alike such as `exаmple.com` (Cyrillic а) stays `xn--exmple-4nf.com`.
 */
export function emailDomain(id: string): string | undefined {
  const at = id.indexOf('@')
  if (at <= 0 || at !== id.lastIndexOf('@')) return undefined
  return normalizeDomain(id.slice(at + 1))
}

/** A domain in comparable ASCII form, or undefined when it is not a valid host name. */
export function normalizeDomain(domain: string): string | undefined {
  if (domain.length === 0 || domain.length > 254) return undefined
  // The URL host parser stops at these (`example.com/evil` would read as `example.com`), so refuse them first.
  if (/[\s/\\?#%:@[\]\p{Cc}]/u.test(domain)) return undefined
  let ascii = domainToASCII(domain.toLowerCase())
  // One trailing dot (plain, or a full-width or ideographic full stop IDNA maps to it) is dropped.
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1)
  if (ascii === '' || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(ascii)) return undefined
  return ascii
}

/**
 * An id in the form exact-user rules compare: email-like ids as `local@domain` with the local part
 * lower-cased and the domain normalized as above; other ids lower-cased. Undefined for ids with several `@`.
 */
export function canonicalUserId(id: string): string | undefined {
  const at = id.indexOf('@')
  if (at === -1) return asciiLowerCase(id)
  if (at !== id.lastIndexOf('@')) return undefined
  const domain = emailDomain(id)
  return domain === undefined ? undefined : `${asciiLowerCase(id.slice(0, at))}@${domain}`
}

/**
 * Case-folds A–Z only: Unicode case mapping folds other characters onto ASCII (the Kelvin sign K U+212A
 * becomes "k"), which would let one account match another's allowlist entry.
 */
function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]+/g, (upper) => upper.toLowerCase())
}
