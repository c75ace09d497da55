import { CliError } from './cli-error.js'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `90`, `90s`, `15m`, `2h`, `7d` → seconds. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim())
  if (!match) throw CliError.usage(`${option}: expected a duration like 900, 15m, 2h or 7d, not "${value}"`)
  return Number(match[1]) * (UNITS[match[2] || 's'] as number)
}

/** Epoch seconds, or an ISO 8601 date → epoch seconds. */
export function parseInstant(value: string, option: string): number {
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const ms = Date.parse(value)
  if (Number.isNaN(ms))
    throw CliError.usage(`${option}: expected epoch seconds or an ISO 8601 date, not "${value}"`)
  return Math.floor(ms / 1000)
}

/** `2025-01-01T00:00:00.000Z (in 14 min)` for people. */
export function describeInstant(epochSec: number, nowMs = Date.now()): string {
  const iso = new Date(epochSec * 1000).toISOString()
  const delta = Math.round(epochSec - nowMs / 1000)
  const size = Math.abs(delta)
  const amount =
    size < 90
      ? `${size} s`
      : size < 5400
        ? `${Math.round(size / 60)} min`
        : size < 172_800
          ? `${Math.round(size / 3600)} h`
          : `${Math.round(size / 86_400)} d`
  return `${iso} (${delta >= 0 ? `in ${amount}` : `${amount} ago`})`
}
