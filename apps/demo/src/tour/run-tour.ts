import type { DemoManifest } from '../manifest.js'
import { tourSteps } from './steps.js'
import type { TourAnswer, TourRequest, TourStep, TourVars } from './tour-types.js'

export interface StepResult {
  step: TourStep
  request: TourRequest
  status: number | undefined
  ok: boolean
  problem?: string
}

/** Runs every tour step in order against a live demo; a step's failure never stops the ones after it. */
export async function runTour(
  manifest: DemoManifest,
  onResult: (result: StepResult) => void = () => {},
): Promise<StepResult[]> {
  const vars: TourVars = {}
  const results: StepResult[] = []
  for (const step of tourSteps(manifest)) {
    const result = await runStep(step, manifest, vars)
    results.push(result)
    onResult(result)
  }
  return results
}

export async function runStep(step: TourStep, manifest: DemoManifest, vars: TourVars): Promise<StepResult> {
  const request = step.request(vars, manifest)
  let answer: TourAnswer
  try {
    answer = await send(request)
  } catch (error) {
    return {
      step,
      request,
      status: undefined,
      ok: false,
      problem: `request failed: ${(error as Error).message}`,
    }
  }
  if (answer.status !== step.expectStatus) {
    const detail = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
    return {
      step,
      request,
      status: answer.status,
      ok: false,
      problem: `expected ${step.expectStatus}, got ${answer.status}: ${detail.slice(0, 300)}`,
    }
  }
  const problem = step.check?.(answer, vars)
  if (problem) return { step, request, status: answer.status, ok: false, problem }
  if (step.capture) Object.assign(vars, step.capture(answer))
  return { step, request, status: answer.status, ok: true }
}

export async function send(request: TourRequest): Promise<TourAnswer> {
  const headers: Record<string, string> = { ...request.headers }
  let body: string | undefined
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(request.form).toString()
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(request.json)
  }
  const response = await fetch(request.url, {
    method: request.method,
    headers,
    ...(body !== undefined && { body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed }
}

/** One line per step, as `demo:check` prints it. */
export function describeResult(result: StepResult): string {
  const { request, step } = result
  const path = new URL(request.url).pathname
  const mark = result.ok ? 'ok  ' : 'FAIL'
  return `${mark} ${String(result.status ?? '---')} ${request.method.padEnd(4)} ${path.padEnd(32)} ${step.id}${result.problem ? `\n       ${result.problem}` : ''}`
}
