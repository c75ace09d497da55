/** What every suite hands back to the runner: tables for RESULTS.md and verdicts against the targets. */
export interface SuiteReport {
  suite: string
  title: string
  tables: Table[]
  targets: TargetResult[]
  notes: string[]
}

export interface Table {
  title: string
  columns: string[]
  rows: (string | number)[][]
}

export interface TargetResult {
  target: string
  measured: string
  /** undefined: not measured in this run (say why in `measured`). */
  pass: boolean | undefined
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? 'n/a' : pass ? 'PASS' : 'FAIL'
}

export function markdownTable(table: Table): string {
  const header = `| ${table.columns.join(' | ')} |`
  const rule = `| ${table.columns.map(() => '---').join(' | ')} |`
  const rows = table.rows.map((row) => `| ${row.map(String).join(' | ')} |`)
  return [`**${table.title}**`, '', header, rule, ...rows].join('\n')
}

/** A plain-text table for the terminal. */
export function textTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))]
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')
  return [
    table.title,
    line(table.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n')
}

export function formatUs(ns: number): string {
  const us = ns / 1000
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2)
}

export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value >= 100 ? `${value.toFixed(0)}×` : value >= 10 ? `${value.toFixed(1)}×` : `${value.toFixed(2)}×`
}
