/** ANSI styles, applied only when the stream is a terminal and the user did not opt out. */
export interface Colors {
  readonly enabled: boolean
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
}

/**
 * Colour on a TTY only; `NO_COLOR` (any value, https://no-color.org), `TERM=dumb` and `--no-color` turn it
 * off; `FORCE_COLOR` (not `0`) turns it on even when piped.
 */
export function colorsFor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  wanted = true,
): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const enabled =
    wanted &&
    (env.NO_COLOR === undefined || env.NO_COLOR === '') &&
    (forced || (stream.isTTY === true && env.TERM !== 'dumb'))
  const style = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text
  return {
    enabled,
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
  }
}
