import type { DemoManifest } from '../manifest.js'

/** One HTTP request of the tour. */
export interface TourRequest {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  /** Sent `application/x-www-form-urlencoded` (reads well as `curl -d`). */
  form?: Record<string, string>
  json?: unknown
}

/** Values captured from earlier answers (tokens), by shell variable name. */
export type TourVars = Record<string, string>

/** What came back, as a check sees it. */
export interface TourAnswer {
  status: number
  headers: Headers
  /** Parsed JSON, or the text when the answer is not JSON. */
  body: unknown
}

export interface TourStep {
  id: string
  /** Heading the step is printed under; consecutive steps with the same group share it. */
  group: string
  /** Shown in the short tour `pnpm demo` prints (every step runs in `demo:check`). */
  printed?: boolean
  request(vars: TourVars, manifest: DemoManifest): TourRequest
  expectStatus: number
  /** Further expectations on the answer: returns what is wrong, or undefined. */
  check?(answer: TourAnswer, vars: TourVars): string | undefined
  /** Variables to remember from a successful answer. */
  capture?(answer: TourAnswer): TourVars
  /** Shell text for the printed tour when the generic `curl` rendering would not do (captures, signatures). */
  shell?(vars: TourVars, manifest: DemoManifest): string
}
