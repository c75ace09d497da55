import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { renderTour } from '../src/tour/render-tour.js'
import { describeResult, runStep, send } from '../src/tour/run-tour.js'
import { spawnDemo } from '../src/tour/spawn-demo.js'
import { tourSteps } from '../src/tour/steps.js'
import type { TourVars } from '../src/tour/tour-types.js'

// The demo as `pnpm demo` starts it (a child process running the sources), on free ports.
const demo = await spawnDemo()
afterAll(() => demo.stop())
const { manifest } = demo

describe('the guided tour, step by step (what demo:check runs)', () => {
  const vars: TourVars = {}
  for (const step of tourSteps(manifest)) {
    it(`${step.id}: ${step.expectStatus}`, async () => {
      const result = await runStep(step, manifest, vars)
      expect(result.ok, describeResult(result)).toBe(true)
    })
  }
})

describe('the running demo', () => {
  it('serves every API on its own loopback port, and project routes since core authenticates projects', () => {
    const origins = new Set(manifest.apis.map((api) => new URL(api.url).origin))
    expect(origins.size).toBe(3)
    for (const api of manifest.apis) expect(new URL(api.url).hostname).toBe('127.0.0.1')
    // Project mode is feature-detected at start; this build of core has it, so the tour covers it.
    expect(manifest.projectMode).toBe(true)
    expect(tourSteps(manifest).filter((step) => step.id.startsWith('secure-'))).not.toHaveLength(0)
  })

  it('answers CORS preflights for the playground origin only', async () => {
    const express = manifest.apis.find((api) => api.name === 'express')?.url as string
    const preflight = (origin: string) =>
      fetch(`${express}/profile`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      })
    const allowed = await preflight(manifest.issuer)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(manifest.issuer)
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization')
    const foreign = await preflight('http://127.0.0.1:1')
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('a GraphQL operation refused as a whole carries the status and the challenge', async () => {
    const graphql = manifest.apis.find((api) => api.name === 'graphql-pothos')?.url as string
    const answer = await send({ method: 'POST', url: graphql, json: { query: '{ me { id } }' } })
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })
})

describe('the printed tour', () => {
  it('runs as printed in bash, with curl and openssl', () => {
    const tools = spawnSync('bash', ['-c', 'command -v curl && command -v openssl && command -v base64'])
    expect(tools.status, 'the printed tour needs bash, curl, openssl and base64 on the PATH').toBe(0)
    const script = renderTour(manifest)
      .split('\n')
      .filter((line) => line.startsWith('   '))
      .map((line) => `${line.trim()}; echo`)
      .join('\n')
    const run = spawnSync('bash', ['-c', `set -o pipefail\n${script}`], { encoding: 'utf8', timeout: 20_000 })
    expect(run.error, 'bash, curl and openssl are needed for the printed tour').toBeUndefined()
    const statuses = [...run.stdout.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]))
    const printedApiCalls = tourSteps(manifest).filter(
      (step) => step.printed && !step.request({}, manifest).url.startsWith(manifest.issuer),
    )
    expect(statuses).toEqual(printedApiCalls.map((step) => step.expectStatus))
    expect(run.stdout).toContain('"code":"token_revoked"')
    expect(run.stdout).toContain('"access_token"')
  })
})
