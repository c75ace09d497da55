import { afterEach, describe, expect, it } from 'vitest'
import { type Auth, AuthError, createAuth, type PortcullisConfigInput } from '../../src/index.js'
import { hashProjectSecret } from '../../src/projects/secret-hash.js'
import { appHeaders, request, SERVICE_ID, SIGNING_SECRET } from '../modes/modes-setup.js'
import { rawClient, redisForTest, within } from '../redis/redis-setup.js'
import { outcome } from '../setup.js'

const PROJECT = 'proj-restore'
const project = { mode: 'project' } as const

const instances: Auth[] = []
afterEach(async () => {
  while (instances.length) await instances.pop()?.close()
})

function instance(
  config: Partial<PortcullisConfigInput>,
  options: Parameters<typeof createAuth>[1] = {},
): Auth {
  const auth = createAuth({ audience: 'https://api.test', service: { id: SERVICE_ID }, ...config }, options)
  instances.push(auth)
  return auth
}

/** 'ok' or the refusal code of each instance, for one app's credentials. */
function outcomes(auths: readonly Auth[], appId: string): Promise<string[]> {
  return Promise.all(
    auths.map((auth) => outcome(auth.authenticate(request(appHeaders(appId, `pw-${appId}`)), project))),
  )
}

const everywhere = (auths: readonly Auth[], appId: string, expected: string) => async () =>
  (await outcomes(auths, appId)).every((result) => result === expected)

describe('undoing a project revocation takes effect at once on every instance', () => {
  it('drops the disabled Redis record each instance cached (as `portcullis project disable/enable` do)', async () => {
    const redis = await redisForTest()
    const raw = rawClient(redis.url)
    const setEnabled = (appId: string, enabled: boolean) =>
      raw.hset(`project:${appId}`, 'enabled', String(enabled))
    for (const appId of ['app-seen', 'app-late']) {
      await raw.hset(`project:${appId}`, {
        secret_hash: hashProjectSecret(`pw-${appId}`, SIGNING_SECRET),
        project_uuid: PROJECT,
        enabled: 'true',
        enabled_services: SERVICE_ID,
      })
    }
    // Default cache lifetimes (15 min, refusals 30 s): nothing here waits for them to pass.
    const config = {
      projects: { signingSecret: SIGNING_SECRET, resolvers: ['redis' as const] },
      redis: { url: redis.url },
    }
    const [a, b] = [instance(config), instance(config)]
    await Promise.all([a.ready(), b.ready()])
    expect(await outcomes([a, b], 'app-seen')).toEqual(['ok', 'ok'])

    // disable: the record says so, and the project is revoked everywhere.
    await Promise.all([setEnabled('app-seen', false), setEnabled('app-late', false)])
    await a.revoke.project(PROJECT)
    await within(100, everywhere([a, b], 'app-seen', 'project_revoked'))
    // Credentials first looked up while disabled: each instance remembers the disabled record.
    expect(await outcomes([a, b], 'app-late')).toEqual(['project_revoked', 'project_revoked'])

    // enable: the record first, then the revocation is lifted (heard by b over pub/sub).
    await Promise.all([setEnabled('app-seen', true), setEnabled('app-late', true)])
    await a.revoke.undoProject(PROJECT)
    const took = await within(100, async () => {
      const results = [...(await outcomes([a, b], 'app-seen')), ...(await outcomes([a, b], 'app-late'))]
      return results.every((result) => result === 'ok')
    })
    expect(took).toBeLessThan(100)

    // An instance started after the undo finds no stale refusal in the shared cache either.
    const c = instance(config)
    await c.ready()
    expect(await outcomes([c], 'app-late')).toEqual(['ok'])
  })

  it('drops a refusal that names no project (a resolver answering "disabled" for the app id)', async () => {
    const redis = await redisForTest()
    const resolver = switchableResolver()
    const { resolveProject } = resolver
    const config = {
      projects: { signingSecret: SIGNING_SECRET, resolvers: ['function' as const] },
      redis: { url: redis.url },
    }
    const [a, b] = [instance(config, { resolveProject }), instance(config, { resolveProject })]
    await Promise.all([a.ready(), b.ready()])
    expect(await outcomes([a, b], 'app-fn-seen')).toEqual(['ok', 'ok'])

    resolver.disabled = true
    await b.revoke.project(PROJECT)
    await within(100, everywhere([a, b], 'app-fn-seen', 'project_revoked'))
    // First looked up while disabled: the resolver's refusal is what each instance remembers.
    expect(await outcomes([a, b], 'app-fn')).toEqual(['project_revoked', 'project_revoked'])

    resolver.disabled = false
    await b.revoke.undoProject(PROJECT)
    await within(100, everywhere([a, b], 'app-fn', 'ok'))
    expect(await outcomes([a, b], 'app-fn-seen')).toEqual(['ok', 'ok'])
  })

  it('drops the refusal when only the periodic resync sees the undo (redis-cli DEL, no message)', async () => {
    const redis = await redisForTest()
    const resolver = switchableResolver()
    const { resolveProject } = resolver
    // No keyspace notifications and no PUBLISH: the versioned resync is the only way the undo arrives.
    const config = {
      projects: { signingSecret: SIGNING_SECRET, resolvers: ['function' as const] },
      redis: { url: redis.url, keyspaceEvents: 'off' as const },
      revocation: { resyncIntervalSec: 0.2 },
    }
    const auth = instance(config, { resolveProject })
    await auth.ready()
    resolver.disabled = true
    await auth.revoke.project(PROJECT)
    expect(await outcomes([auth], 'app-cli')).toEqual(['project_revoked'])

    resolver.disabled = false
    const raw = rawClient(redis.url)
    await raw.del(`portcullis:revoked:project:${PROJECT}`)
    await raw.incr('portcullis:revocations:version')
    // Well inside the 30 s the refusal would otherwise be remembered for.
    await within(3000, everywhere([auth], 'app-cli', 'ok'))
  })

  it('works the same without Redis, on the one instance', async () => {
    let enabled = false
    const auth = instance(
      { projects: { signingSecret: SIGNING_SECRET, resolvers: ['function'] } },
      { resolveProject: () => ({ projectUuid: PROJECT, enabled, enabledServices: [SERVICE_ID] }) },
    )
    await auth.revoke.project(PROJECT)
    expect(await outcomes([auth], 'app-local')).toEqual(['project_revoked'])
    enabled = true
    await auth.revoke.undoProject(PROJECT)
    expect(await outcomes([auth], 'app-local')).toEqual(['ok'])
  })
})

/** A `function` project resolver that answers `project_revoked` while `disabled` is set. */
function switchableResolver() {
  const resolver = {
    disabled: false,
    resolveProject: () => {
      if (resolver.disabled) throw new AuthError('project_revoked')
      return { projectUuid: PROJECT, enabledServices: [SERVICE_ID] }
    },
  }
  return resolver
}
