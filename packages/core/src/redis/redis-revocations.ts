import { setTimeout as sleep } from 'node:timers/promises'
import { ReplyError } from 'ioredis'
import { AuthError, because } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RevocationChecker } from '../revocation/revocation-checker.js'
import { noteRevocationChange, type RevocationDelta, RevocationView } from '../revocation/revocation-view.js'
import { type RevocationStore, toEpochMs } from '../revocation/revoker.js'
import type { RedisClient, RedisConnection } from './connection.js'
import {
  parseRevocationRef,
  REVOCATION_CHANNEL,
  REVOCATION_VERSION,
  type RevocationKind,
  revocationKey,
} from './keys.js'

export interface RedisRevocationOptions {
  consistency: 'eventual' | 'strict'
  resyncIntervalMs: number
  /** How long the in-process view may be trusted after Redis became unreachable. */
  maxStaleMs: number
  onRedisDown: 'closed' | 'open'
  subjectRetentionMs: number
  /** Try to enable keyspace notifications so writes that skip PUBLISH (redis-cli, Mercury) still arrive. */
  keyspaceEvents: 'auto' | 'off'
  /** Extra unprefixed key families that mean "this jti is revoked" (Mercury writes `revoked_token:{jti}`). */
  foreignJtiPrefixes: readonly string[]
  onStateChange?: (state: 'live' | 'down', detail: Record<string, unknown>) => void
  /** Each delta this instance applies (its own writes, pub/sub, keyspace events), after the view took it. */
  onDelta?: (delta: RevocationDelta) => void
}

/** Quick retries at start-up when the first subscription or resync failed: 100, 200, … 500 ms apart. */
const START_RETRIES = 5
const START_RETRY_DELAY_MS = 100

interface KeyFamily {
  /** Absolute key prefix, e.g. `portcullis:revoked:jti:`. */
  prefix: string
  kind: RevocationKind
}

/**
 * Revocations shared through Redis, checked from an in-process view. Writers SET the key, bump a version and
 * PUBLISH a reference; every instance's subscriber re-reads the referenced key and updates its view (and
 * keyspace notifications bring in writes that never published). A periodic versioned resync, and a full one
 * on every reconnect, repair anything missed. The hot path reads memory only, unless consistency is strict.
 */
export class RedisRevocations implements RevocationChecker {
  readonly revoke: RevocationStore
  #view = new RevocationView()
  readonly #connection: RedisConnection
  readonly #options: RedisRevocationOptions
  readonly #logger: Logger
  readonly #families: KeyFamily[]
  #live = false
  // Never synced counts as stale from the start: a fresh instance must not accept tokens it cannot vouch for.
  #downSince = Number.NEGATIVE_INFINITY
  #lastVersion: string | null | undefined
  #lastFullSyncAt = 0
  #resyncTimer: NodeJS.Timeout | undefined
  /** Deltas that arrive while a full resync runs, replayed onto the new view. */
  #pendingDuringSync: RevocationDelta[] | undefined
  #closed = false

  constructor(connection: RedisConnection, options: RedisRevocationOptions, logger: Logger) {
    this.#connection = connection
    this.#options = options
    this.#logger = logger
    const prefix = connection.prefix
    this.#families = [
      { prefix: prefix + revocationKey('jti', ''), kind: 'jti' },
      { prefix: prefix + revocationKey('sub', ''), kind: 'sub' },
      { prefix: prefix + revocationKey('project', ''), kind: 'project' },
      ...options.foreignJtiPrefixes.map((foreign) => ({ prefix: foreign, kind: 'jti' as const })),
    ]
    this.revoke = this.#createRevoker()
  }

  /** Hot path: memory only in eventual mode. */
  checkToken(
    jti: string | undefined,
    subject: string,
    issuedAtSec: number | undefined,
    nowMs: number,
  ): void | Promise<void> {
    if (this.#view.isTokenRevoked(jti, subject, issuedAtSec, nowMs)) throw new AuthError('token_revoked')
    if (this.#options.consistency === 'strict') return this.#checkTokenInRedis(jti, subject, issuedAtSec)
    this.#vouchForView(nowMs)
  }

  checkProject(projectId: string, nowMs: number): void | Promise<void> {
    if (this.#view.isProjectRevoked(projectId)) throw new AuthError('project_revoked')
    if (this.#options.consistency === 'strict') return this.#checkProjectInRedis(projectId)
    this.#vouchForView(nowMs)
  }

  vouchesFromMemory(nowMs: number): boolean {
    if (this.#options.consistency === 'strict') return false
    this.#view.sweepIfDue(nowMs)
    this.#vouchForView(nowMs)
    return true
  }

  async start(): Promise<void> {
    const subscriber = this.#connection.subscriber
    subscriber.on('message', (_channel: string, message: string) => {
      if (message === 'resync:all') return void this.#resync(true)
      const ref = parseRevocationRef(message)
      if (ref) void this.#reread(this.#families.find((f) => f.kind === ref.kind) as KeyFamily, ref.id)
    })
    subscriber.on('pmessage', (_pattern: string, channel: string) => this.#onKeyspaceEvent(channel))
    for (const connection of [subscriber, this.#connection.client]) {
      connection.on('ready', this.#onReady)
      connection.on('close', this.#onClose)
    }
    // A busy Redis can time out the first subscription or resync (`commandTimeout`), and the periodic resync is
    // up to 30 s away: try again now, a few times, so that `ready()` resolves with an instance that is live
    // unless Redis is really unreachable (then the failure policy applies, and a reconnect brings it back).
    for (let attempt = 0; ; attempt++) {
      await this.#ensureSubscribed()
      await this.#resync(true)
      if (this.#live || this.#closed || attempt === START_RETRIES) break
      await sleep(START_RETRY_DELAY_MS * (attempt + 1))
    }
    this.#resyncTimer = setInterval(
      () => void this.#ensureSubscribed().then(() => this.#resync(false)),
      Math.min(this.#options.resyncIntervalMs, 1000 * 30),
    )
    this.#resyncTimer.unref()
  }

  readonly #onReady = () => void this.#ensureSubscribed().then(() => this.#resync(true))

  /**
   * Subscribes to the revocation channel (and keyspace notifications) until it succeeds: a subscription that
   * timed out on a busy start must not leave an instance that looks live but hears nothing. Until it holds,
   * the instance is not live (see `#markLive`).
   */
  async #ensureSubscribed(): Promise<void> {
    if (this.#subscribed || this.#closed) return
    const subscriber = this.#connection.subscriber
    try {
      if (!this.#keyspaceSettled) await this.#configureKeyspaceEvents()
      await subscriber.subscribe(this.#connection.prefix + REVOCATION_CHANNEL)
      if (this.#keyspacePatterns.length) await subscriber.psubscribe(...this.#keyspacePatterns)
      this.#subscribed = true
    } catch (error) {
      this.#logger.debug({ error: (error as Error).message }, 'revocation subscription failed; retrying')
    }
  }

  #subscribed = false
  #keyspaceSettled = false
  /** Counts connection losses, so a resync can tell whether all its commands reached the same Redis. */
  #reconnects = 0
  readonly #onClose = () => {
    this.#reconnects++
    this.#goDown('connection closed')
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#resyncTimer)
    // The command client may be the user's own: leave it as we found it.
    this.#connection.client.off('ready', this.#onReady).off('close', this.#onClose)
    this.#view.clear()
  }

  #keyspacePatterns: string[] = []

  /** Keyspace notifications are per node; on Cluster only our own PUBLISH and the resync are relied on. */
  async #configureKeyspaceEvents(): Promise<void> {
    if (this.#options.keyspaceEvents === 'off' || this.#connection.isCluster) {
      this.#keyspaceSettled = true
      return
    }
    const client = this.#connection.client as import('ioredis').Redis
    try {
      const [, flags = ''] = (await client.config('GET', 'notify-keyspace-events')) as [string, string]
      const has = (flag: string) => flags.includes(flag) || (flag !== 'K' && flags.includes('A'))
      if (!(has('K') && has('$') && has('g'))) {
        const wanted = Array.from(new Set([...flags, 'K', '$', 'g'])).join('')
        await client.config('SET', 'notify-keyspace-events', wanted)
      }
      const db = (client.options.db ?? 0) as number
      this.#keyspacePatterns = this.#families.map(
        (family) => `__keyspace@${db}__:${escapeGlob(family.prefix)}*`,
      )
      this.#keyspaceSettled = true
    } catch (error) {
      // The server said no (managed Redis forbids CONFIG): settle without notifications. A timeout: try again.
      if (!(error instanceof ReplyError)) throw error
      this.#keyspaceSettled = true
      this.#logger.warn(
        { error: (error as Error).message },
        'Redis keyspace notifications are unavailable: revocations written without PUBLISH arrive with the periodic resync only',
      )
    }
  }

  #onKeyspaceEvent(channel: string): void {
    const key = channel.slice(channel.indexOf(':') + 1)
    const family = this.#families.find((f) => key.startsWith(f.prefix))
    if (family) void this.#reread(family, key.slice(family.prefix.length))
  }

  /** Re-reads one key and applies what Redis says now (set → revoked, absent → restored). */
  async #reread(family: KeyFamily, id: string): Promise<void> {
    try {
      const key = family.prefix + id
      const client = this.#connection.client
      const [value, ttl] = await Promise.all([client.get(key), client.pttl(key)])
      // An absent key means "restored" only if Redis still has its data: after a restart without persistence
      // it means nothing, and the resync's repair must find the revocation still in this view.
      if (value === null) {
        const version = await client.get(this.#connection.prefix + REVOCATION_VERSION)
        if (lostData(this.#lastVersion, version)) return
      }
      this.#apply(toDelta(family.kind, id, value, ttl, Date.now()))
    } catch (error) {
      this.#logger.debug(
        { error: (error as Error).message },
        'revocation re-read failed; the resync will repair it',
      )
    }
  }

  #apply(delta: RevocationDelta): void {
    this.#pendingDuringSync?.push(delta)
    this.#view.apply(delta)
    this.#options.onDelta?.(delta)
  }

  /** Live = the view was just rebuilt from Redis and the subscriber is there to keep it current. */
  #markLive(): void {
    if (this.#live || this.#closed || !this.#subscribed || this.#connection.subscriber.status !== 'ready')
      return
    this.#live = true
    this.#options.onStateChange?.('live', {})
  }

  #goDown(reason: string): void {
    // ioredis re-subscribes on reconnect, but only channels it knows it holds: check again when ready.
    if (this.#connection.subscriber.status !== 'ready') this.#subscribed = false
    if (!this.#live) return
    this.#live = false
    this.#downSince = Date.now()
    this.#options.onStateChange?.('down', { reason })
  }

  /**
   * Rebuilds the view from Redis when the version moved (or always when forced / every 10 intervals, to catch
   * writes that bump no version). Returns whether Redis answered.
   */
  #resync(force: boolean): Promise<boolean> {
    // One at a time: a resync replaces the whole view, so two interleaved would lose deltas. One that straddled
    // a reconnect is run again at once (a few times at most): the next connection event may never come.
    const run = this.#resyncChain.then(async () => {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.#resyncNow(force)
        if (outcome !== 'straddled') return outcome
        if (attempt === 3 || this.#closed) return false
      }
    })
    this.#resyncChain = run.catch(() => false)
    return run
  }

  #resyncChain: Promise<unknown> = Promise.resolve()

  async #resyncNow(forced: boolean): Promise<boolean | 'straddled'> {
    let force = forced
    const client = this.#connection.client
    const reconnects = this.#reconnects
    // From the first await on, deltas applied meanwhile are replayed onto whatever view this resync builds.
    this.#pendingDuringSync = []
    try {
      // Data loss is judged before our queued writes bump the version; then the queue, so the rebuilt view
      // (and every other instance) includes them.
      let version = await client.get(this.#connection.prefix + REVOCATION_VERSION)
      let repaired = false
      if (lostData(this.#lastVersion, version)) {
        version = await this.#repairFromView()
        force = true
        repaired = true
      }
      if (this.#unsent.length > 0) {
        await this.#flushUnsent()
        version = await client.get(this.#connection.prefix + REVOCATION_VERSION)
      }
      const now = Date.now()
      const due = now - this.#lastFullSyncAt >= this.#options.resyncIntervalMs * 10
      if (!force && !due && version === this.#lastVersion && this.#live) return true
      const view = new RevocationView()
      for (const family of this.#families) {
        for (const [key, value, ttl] of await scanFamily(client, family.prefix)) {
          view.apply(toDelta(family.kind, key.slice(family.prefix.length), value, ttl, now))
        }
      }
      // A resync that straddles a reconnect read the version from one Redis and scanned another (perhaps one
      // that restarted empty): its view is no picture of anything. Keep the old view; the next attempt judges
      // the loss and repairs from it.
      const after = await client.get(this.#connection.prefix + REVOCATION_VERSION)
      if (this.#reconnects !== reconnects || lostData(version, after)) return 'straddled'
      for (const delta of this.#pendingDuringSync) view.apply(delta)
      const lifted = this.#options.onDelta ? liftedProjects(this.#view, view, now) : []
      this.#view = view
      noteRevocationChange()
      // A lifted project revocation that no message brought (both missed) is told like one that did.
      for (const id of lifted) this.#options.onDelta?.({ kind: 'project', id, until: 0, revoked: false })
      // Only forward (a write of ours may have bumped it while we scanned), except right after a repair.
      if (repaired || Number(version ?? -1) > Number(this.#lastVersion ?? -1)) this.#lastVersion = version
      this.#lastFullSyncAt = now
      this.#markLive()
      return true
    } catch (error) {
      this.#logger.debug({ error: (error as Error).message }, 'revocation resync failed')
      this.#goDown('resync failed')
      return false
    } finally {
      this.#pendingDuringSync = undefined
    }
  }

  /**
   * Redis came back without the data it had (a restart without persistence, a failover to an empty replica).
   * What this instance knew is written back, so a revocation is never lost to a Redis restart.
   */
  async #repairFromView(): Promise<string | null> {
    const client = this.#connection.client
    const prefix = this.#connection.prefix
    const now = Date.now()
    let repaired = 0
    for (const delta of this.#view.entries(now)) {
      if (delta.kind === 'token')
        await client.set(prefix + revocationKey('jti', delta.id), '1', 'PXAT', delta.until)
      else if (delta.kind === 'project') await client.set(prefix + revocationKey('project', delta.id), '1')
      else
        await client.set(prefix + revocationKey('sub', delta.id), String(delta.before), 'PXAT', delta.until)
      repaired++
    }
    this.#logger.warn({ repaired }, 'Redis lost its revocation data; rewrote what this instance knew')
    const version = String(await client.incr(prefix + REVOCATION_VERSION))
    if (repaired > 0) await client.publish(prefix + REVOCATION_CHANNEL, 'resync:all')
    return version
  }

  /** Past the staleness bound with Redis down, the failure policy decides. */
  #vouchForView(nowMs: number): void {
    if (this.#live || this.#options.onRedisDown === 'open') return
    if (nowMs - this.#downSince > this.#options.maxStaleMs) {
      throw new AuthError('auth_unavailable', {
        cause: because('revocation state is stale: Redis unreachable'),
      })
    }
  }

  async #checkTokenInRedis(
    jti: string | undefined,
    subject: string,
    issuedAtSec: number | undefined,
  ): Promise<void> {
    const client = this.#connection.client
    try {
      const jtiKeys =
        jti === undefined ? [] : this.#families.filter((f) => f.kind === 'jti').map((f) => f.prefix + jti)
      const [cutoff, ...jtiHits] = await Promise.all([
        client.get(this.#connection.prefix + revocationKey('sub', subject)),
        ...jtiKeys.map((key) => client.exists(key)),
      ])
      if (jtiHits.some((hit) => hit === 1)) throw new AuthError('token_revoked')
      if (cutoff !== null && (issuedAtSec === undefined || issuedAtSec * 1000 < Number(cutoff))) {
        throw new AuthError('token_revoked')
      }
    } catch (error) {
      if (error instanceof AuthError) throw error
      if (this.#options.onRedisDown === 'closed') throw new AuthError('auth_unavailable', { cause: error })
    }
  }

  async #checkProjectInRedis(projectId: string): Promise<void> {
    try {
      const hit = await this.#connection.client.exists(
        this.#connection.prefix + revocationKey('project', projectId),
      )
      if (hit === 1) throw new AuthError('project_revoked')
    } catch (error) {
      if (error instanceof AuthError) throw error
      if (this.#options.onRedisDown === 'closed') throw new AuthError('auth_unavailable', { cause: error })
    }
  }

  /** Writes that could not reach Redis, replayed in order once it is back (see `#flushUnsent`). */
  readonly #unsent: (() => Promise<void>)[] = []

  async #flushUnsent(): Promise<void> {
    while (this.#unsent.length > 0) {
      try {
        await (this.#unsent[0] as () => Promise<void>)()
      } catch (error) {
        // Unreachable: keep it and stop. Refused by Redis itself: retrying cannot help; drop it, say so.
        if (!(error instanceof ReplyError)) throw error
        this.#logger.error(
          { error: (error as Error).message },
          'Redis refused a queued revocation; it applies on this instance only',
        )
      }
      this.#unsent.shift()
    }
  }

  #createRevoker(): RevocationStore {
    const write = async (
      kind: RevocationKind,
      id: string,
      command: (key: string) => Promise<unknown>,
      delta: RevocationDelta,
    ) => {
      // Applied here at once, so the revoking instance never serves the token again, even if Redis is down.
      this.#apply(delta)
      const client = this.#connection.client
      const prefix = this.#connection.prefix
      const send = async () => {
        await command(prefix + revocationKey(kind, id))
        const version = await client.incr(prefix + REVOCATION_VERSION)
        // Remembered so a Redis that comes back without this version is recognised as having lost data.
        if (version > Number(this.#lastVersion ?? 0)) this.#lastVersion = String(version)
        await client.publish(prefix + REVOCATION_CHANNEL, `${kind}:${id}`)
      }
      if (this.#unsent.length === 0) {
        try {
          await send()
          return
        } catch (error) {
          // Redis answered with an error: the write is wrong, not late. Tell the caller; do not queue it.
          if (error instanceof ReplyError) throw error
          this.#logger.warn(
            { kind, error: (error as Error).message },
            'revocation queued until Redis is reachable',
          )
        }
      }
      // Kept in order and written when Redis returns, so other instances learn of it then: nothing is lost.
      this.#unsent.push(send)
    }
    const client = () => this.#connection.client
    return {
      token: async (jti, expiresAt) => {
        // Whole milliseconds: NumericDates may be fractional (RFC 7519 §2), Redis PXAT takes integers only.
        const until = Math.ceil(toEpochMs(expiresAt))
        if (until <= Date.now()) return
        await write('jti', jti, (key) => client().set(key, '1', 'PXAT', until), {
          kind: 'token',
          id: jti,
          until,
          revoked: true,
        })
      },
      subject: async (subject, before = new Date()) => {
        const cutoff = Math.ceil(toEpochMs(before))
        const retention = this.#options.subjectRetentionMs
        await write('sub', subject, (key) => client().set(key, String(cutoff), 'PX', retention), {
          kind: 'subject',
          id: subject,
          before: cutoff,
          until: Date.now() + retention,
          revoked: true,
        })
      },
      project: async (projectId) => {
        await write('project', projectId, (key) => client().set(key, '1'), {
          kind: 'project',
          id: projectId,
          until: Number.POSITIVE_INFINITY,
          revoked: true,
        })
      },
      undoToken: async (jti) => {
        await write('jti', jti, (key) => client().del(key), {
          kind: 'token',
          id: jti,
          until: 0,
          revoked: false,
        })
      },
      undoSubject: async (subject) => {
        await write('sub', subject, (key) => client().del(key), {
          kind: 'subject',
          id: subject,
          before: 0,
          until: 0,
          revoked: false,
        })
      },
      undoProject: async (projectId) => {
        await write('project', projectId, (key) => client().del(key), {
          kind: 'project',
          id: projectId,
          until: 0,
          revoked: false,
        })
      },
    }
  }
}

/** Projects revoked in `before` that `after` no longer holds revoked. */
function liftedProjects(before: RevocationView, after: RevocationView, now: number): string[] {
  const lifted: string[] = []
  for (const delta of before.entries(now)) {
    if (delta.kind === 'project' && !after.isProjectRevoked(delta.id)) lifted.push(delta.id)
  }
  return lifted
}

/** The version counter only grows; missing or smaller than what we saw means Redis lost data. */
function lostData(seen: string | null | undefined, now: string | null): boolean {
  if (seen === undefined || seen === null) return false
  return now === null || Number(now) < Number(seen)
}

function toDelta(
  kind: RevocationKind,
  id: string,
  value: string | null,
  ttlMs: number,
  now: number,
): RevocationDelta {
  const until = ttlMs > 0 ? now + ttlMs : Number.POSITIVE_INFINITY
  if (kind === 'sub') {
    const before = Number(value)
    if (value === null || !Number.isFinite(before))
      return { kind: 'subject', id, before: 0, until: 0, revoked: false }
    return { kind: 'subject', id, before, until, revoked: true }
  }
  return { kind: kind === 'jti' ? 'token' : 'project', id, until, revoked: value !== null }
}

/** All keys under a prefix with their values and TTLs; on Cluster, every master is scanned. */
async function scanFamily(client: RedisClient, prefix: string): Promise<[string, string | null, number][]> {
  const nodes = 'nodes' in client && typeof client.nodes === 'function' ? client.nodes('master') : [client]
  const rows: [string, string | null, number][] = []
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500)
      cursor = next
      if (keys.length === 0) continue
      const pipeline = node.pipeline()
      for (const key of keys) pipeline.get(key).pttl(key)
      const results = (await pipeline.exec()) ?? []
      keys.forEach((key, index) => {
        const value = results[index * 2]?.[1] as string | null
        const ttl = results[index * 2 + 1]?.[1] as number
        if (value !== null) rows.push([key, value, ttl])
      })
    } while (cursor !== '0')
  }
  return rows
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&')
}
