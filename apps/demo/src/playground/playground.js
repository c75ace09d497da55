// The playground's whole logic: no framework, no build. It talks to the issuer (same origin) and to the
// three APIs (other loopback ports, allowed by their CORS), and shows every answer as it came.

const QUERIES = {
  profile: '{ me { id email name scopes } }',
  reports: '{ reports { id title } }',
  project: '{ project { project { uuid name } datasets { id rows } } }',
  secure: '{ secure { message user project { uuid name } } }',
}
const REASONS = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

const state = { manifest: undefined, token: undefined, refreshToken: undefined }
const $ = (id) => document.getElementById(id)

function show(id, value) {
  $(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

function setVerdict(id, text, tone) {
  const element = $(id)
  element.textContent = text
  element.classList.remove('ok', 'warn', 'bad', 'muted')
  element.classList.add(tone ?? 'muted')
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  let parsed = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { response, body: parsed }
}

function modeOf() {
  return document.querySelector('input[name="mode"]:checked')?.value ?? 'token'
}

function selectedUser() {
  return state.manifest.users.find((user) => user.email === $('user-select').value)
}

async function init() {
  const manifest = await (await fetch('/demo/manifest.json')).json()
  state.manifest = manifest
  show(
    'environment',
    `Issuer ${manifest.issuer} · caches ${manifest.cache} · project credentials ${manifest.projectMode ? 'on' : 'not available in this build of @portcullis/core'}`,
  )
  for (const user of manifest.users) {
    const option = document.createElement('option')
    option.value = user.email
    option.textContent = `${user.name} (${user.email})`
    $('user-select').append(option)
  }
  $('user-select').addEventListener('change', () => {
    $('password').value = selectedUser().password
  })
  $('password').value = manifest.users[0].password
  $('app-id').value = manifest.project.appId
  $('app-secret').value = manifest.project.appSecret
  $('project-note').textContent = manifest.projectMode
    ? `Project "${manifest.project.name}". Try "${manifest.otherProject.appId}" / "${manifest.otherProject.appSecret}": registered, but not for this service (403).`
    : 'This build of @portcullis/core does not authenticate projects yet, so the project routes are not mounted.'
  renderApiTable(manifest)

  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault()
    void signIn()
  })
  $('signin-api-key').addEventListener('click', () => void signInWithApiKey())
  $('decode').addEventListener('click', () => void decode())
  $('refresh').addEventListener('click', () => void refresh())
  $('revoke').addEventListener('click', () => void revoke())
}

function renderApiTable(manifest) {
  const resources = manifest.projectMode
    ? ['profile', 'reports', 'project', 'secure']
    : ['profile', 'reports']
  const body = $('api-table').querySelector('tbody')
  for (const api of manifest.apis) {
    const row = document.createElement('tr')
    const name = document.createElement('th')
    name.scope = 'row'
    name.textContent = api.label
    const calls = document.createElement('td')
    for (const resource of resources) {
      const button = document.createElement('button')
      button.type = 'button'
      button.dataset.api = api.name
      button.dataset.resource = resource
      button.textContent =
        api.kind === 'rest' ? `GET /${resource}` : `query ${resource === 'profile' ? 'me' : resource}`
      button.setAttribute('aria-label', `${api.label}: ${resource}`)
      const badge = document.createElement('span')
      badge.className = 'badge'
      badge.setAttribute('aria-live', 'polite')
      button.append(badge)
      button.addEventListener('click', () => void callApi(api, resource, badge))
      calls.append(button)
    }
    row.append(name, calls)
    body.append(row)
  }
}

async function signIn() {
  const user = selectedUser()
  const scope = $('scope').value.trim()
  const { response, body } = await postJson('/token', {
    grant_type: 'password',
    username: user.email,
    password: $('password').value,
    ...(scope && { scope }),
  })
  if (!response.ok) {
    setVerdict(
      'signin-status',
      `Sign-in refused: ${response.status} ${body.error_description ?? body.error}`,
      'bad',
    )
    return
  }
  acceptTokens(body, `Signed in as ${user.name}`)
}

async function signInWithApiKey() {
  const { response, body } = await postJson('/token', {
    grant_type: 'api_key',
    api_key: state.manifest.apiKey,
  })
  if (!response.ok) {
    setVerdict(
      'signin-status',
      `API key refused: ${response.status} ${body.error_description ?? body.error}`,
      'bad',
    )
    return
  }
  acceptTokens(body, 'Signed in with the demo API key (see its static and dynamic claims)')
}

function acceptTokens(body, message) {
  // Earlier results were for another token.
  for (const badge of document.querySelectorAll('#api-table .badge')) {
    badge.textContent = ''
    badge.className = 'badge'
  }
  state.token = body.access_token
  state.refreshToken = body.refresh_token
  setVerdict('signin-status', `${message}; scopes: ${body.scope || '(none)'}.`, 'ok')
  show('raw-token', state.token)
  for (const id of ['decode', 'revoke']) $(id).disabled = false
  $('refresh').disabled = state.refreshToken === undefined
  void decode()
}

/** Asks the issuer's /decode, which verifies through @portcullis/core exactly as the APIs do. */
async function decode() {
  if (!state.token) return
  const { response, body } = await postJson('/decode', { token: state.token })
  const [header, payload] = state.token.split('.').slice(0, 2).map(decodeSegment)
  show('token-header', body.header ?? header)
  show('token-claims', body.claims ?? payload)
  if (response.ok)
    setVerdict(
      'token-verdict',
      'Token verified by @portcullis/core: signature, issuer, audience, expiry, revocation.',
      'ok',
    )
  else
    setVerdict(
      'token-verdict',
      `Token rejected: ${response.status} ${body.code} (${body.error_description})`,
      'bad',
    )
}

function decodeSegment(segment) {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return {}
  }
}

async function refresh() {
  const { response, body } = await postJson('/refresh', { refresh_token: state.refreshToken })
  if (!response.ok) {
    setVerdict('signin-status', `Refresh refused: ${response.status} ${body.error_description}`, 'bad')
    return
  }
  acceptTokens(body, 'Token refreshed (the previous refresh token is now spent)')
}

async function revoke() {
  showPending(`POST ${state.manifest.issuer}/revoke`)
  const { response, body } = await postJson('/revoke', { token: state.token })
  showResponse(`POST ${state.manifest.issuer}/revoke`, response, body)
  await decode()
}

async function callApi(api, resource, badge) {
  const headers = {}
  const mode = modeOf()
  if ((mode === 'token' || mode === 'both') && state.token) headers.authorization = `Bearer ${state.token}`
  if (mode === 'project' || mode === 'both') {
    headers['x-app-id'] = $('app-id').value
    headers['x-app-secret'] = $('app-secret').value
  }
  const request =
    api.kind === 'rest'
      ? { url: `${api.url}/${resource}`, init: { headers } }
      : {
          url: api.url,
          init: {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ query: QUERIES[resource] }),
          },
        }
  const label = `${request.init.method ?? 'GET'} ${request.url}${api.kind === 'graphql' ? `  ${QUERIES[resource]}` : ''}`
  showPending(label)
  badge.textContent = '…'
  badge.className = 'badge'
  let response
  try {
    response = await fetch(request.url, request.init)
  } catch (error) {
    badge.textContent = 'error'
    badge.className = 'badge bad'
    showResponse(label, undefined, String(error))
    return
  }
  const text = await response.text()
  let body = text
  try {
    body = JSON.parse(text)
  } catch {}
  badge.textContent = String(response.status)
  badge.className = `badge ${tone(response.status)}`
  showResponse(label, response, body)
}

function tone(status) {
  if (status < 300) return 'ok'
  return status === 403 ? 'warn' : 'bad'
}

/** Clears the last answer while a call is on its way, so what is shown is always this call's answer. */
function showPending(label) {
  show('response-request', label)
  setVerdict('response-status', 'Calling…')
  show('response-headers', '')
  show('response-body', '')
}

function showResponse(label, response, body) {
  show('response-request', label)
  if (!response) {
    setVerdict('response-status', 'No response (is the demo running?)', 'bad')
    show('response-headers', '')
    show('response-body', body)
    return
  }
  const status = `${response.status} ${response.statusText || REASONS[response.status] || ''}`.trim()
  setVerdict('response-status', status, tone(response.status))
  const lines = []
  response.headers.forEach((value, name) => {
    lines.push(`${name}: ${value}`)
  })
  show('response-headers', lines.sort().join('\n'))
  show('response-body', body)
}

init().catch((error) => {
  setVerdict('environment', `The playground could not load the demo's manifest: ${error}`, 'bad')
})
