import type { DemoManifest } from '../manifest.js'
import { tourSteps } from './steps.js'
import type { TourRequest, TourVars } from './tour-types.js'

/** What `pnpm demo` prints first: where everything is. */
export function renderBanner(manifest: DemoManifest): string {
  const pad = (label: string) => label.padEnd(34)
  const routes = manifest.projectMode ? '/profile /reports /project /secure' : '/profile /reports'
  const lines = [
    '',
    'Portcullis demo: one process, everything on 127.0.0.1, nothing fetched from outside.',
    '',
    `  ${pad('Playground (open in a browser)')}${manifest.playground}`,
    `  ${pad('Issuer (Mercury role)')}${manifest.issuer}   (/.well-known/openid-configuration)`,
    ...manifest.apis.map(
      (api) => `  ${pad(api.label)}${api.url}${api.kind === 'rest' ? `   (${routes})` : ''}`,
    ),
    '',
    `  Caches and revocations: ${manifest.cache === 'redis' ? 'Redis (REDIS_URL)' : 'in-process (set REDIS_URL to use Redis)'}`,
    manifest.projectMode
      ? "  Project credentials: on (x-app-id / x-app-secret, checked against the issuer's GET /auth)"
      : '  Project credentials: NOT AVAILABLE: this build of @portcullis/core does not authenticate projects yet,\n' +
        "    so /project and /secure (and the GraphQL project fields) are not mounted. The issuer's GET /auth works.",
    `  Users: ${manifest.users.map((user) => `${user.email} / ${user.password}`).join(', ')}`,
    `  Project: ${manifest.project.appId} / ${manifest.project.appSecret}    API key: ${manifest.apiKey}`,
    '',
  ]
  return lines.join('\n')
}

/** The short guided tour: the printed steps as shell commands, grouped under their headings. */
export function renderTour(manifest: DemoManifest): string {
  const shellVars = new Proxy({} as TourVars, { get: (_target, name) => `$${String(name)}` })
  const out: string[] = [
    'Guided tour (paste into a shell; `pnpm --filter @portcullis/demo demo:check` runs all of it):',
    '',
  ]
  let group: string | undefined
  let number = 0
  for (const step of tourSteps(manifest)) {
    if (!step.printed) continue
    if (step.group !== group) {
      if (group !== undefined) out.push('')
      group = step.group
      number++
      out.push(`${number}. ${group}`)
    }
    const text = step.shell
      ? step.shell(shellVars, manifest)
      : renderCurl(step.request(shellVars, manifest), manifest)
    out.push(...text.split('\n').map((line) => `   ${line}`))
  }
  return out.join('\n')
}

export function renderCurl(request: TourRequest, manifest: DemoManifest): string {
  const parts = ['curl', request.url.startsWith(manifest.issuer) ? '-s' : '-i']
  if (request.method === 'POST' && request.form === undefined && request.json === undefined)
    parts.push('-X POST')
  parts.push(request.url)
  for (const [name, value] of Object.entries(request.headers ?? {}))
    parts.push('-H', quote(`${name}: ${value}`))
  for (const [name, value] of Object.entries(request.form ?? {})) parts.push('-d', quote(`${name}=${value}`))
  if (request.json !== undefined)
    parts.push('-H', quote('content-type: application/json'), '-d', quote(JSON.stringify(request.json)))
  return parts.join(' ')
}

/** Double quotes when a `$VAR` must expand, single quotes when the shell would otherwise split or glob. */
function quote(value: string): string {
  if (/\$[A-Z_]/.test(value)) return `"${value.replace(/["\\`]/g, '\\$&')}"`
  if (/^[\w@%+=:,./-]+$/.test(value)) return value
  return `'${value.replace(/'/g, "'\\''")}'`
}
