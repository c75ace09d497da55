import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-cli-manners-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const ESC = '\u001b['

describe('help and usage', () => {
  it('answers --help for every command with exit 0 on stdout', async () => {
    const commands = [
      [],
      ['login'],
      ['logout'],
      ['token'],
      ['token', 'get'],
      ['token', 'mint'],
      ['token', 'keygen'],
      ['decode'],
      ['verify'],
      ['revoke'],
      ['project'],
      ['project', 'create'],
      ['project', 'disable'],
      ['project', 'enable'],
      ['config'],
      ['config', 'check'],
    ]
    const runs = await Promise.all(commands.map((command) => runCli([...command, '--help'])))
    runs.forEach((run, index) => {
      const name = ['portcullis', ...(commands[index] as string[])].join(' ')
      expect(run.code, name).toBe(0)
      expect(run.stdout, name).toContain(`Usage: ${name}`)
      expect(run.stderr, name).toBe('')
    })
    expect(runs[0]?.stdout).toContain('Exit codes:')
  })

  it('refuses an unknown command or option with exit 1, as JSON with --json', async () => {
    const [command, option] = await Promise.all([
      runCli(['frobnicate']),
      runCli(['decode', '--bogus', 'x', '--json']),
    ])
    expect(command.code, command.stderr + command.stdout).toBe(1)
    expect(command.stderr).toContain("unknown command 'frobnicate'")
    expect(option.code, option.stderr + option.stdout).toBe(1)
    expect(option.json()).toEqual({
      error: { code: 'unknown_option', message: "unknown option '--bogus' (see --help)", exitCode: 1 },
    })
  })
})

describe('colours', () => {
  it('are off when piped and with NO_COLOR or --no-color, on only when forced', async () => {
    const args = ['decode', 'e30.e30.sig']
    const [piped, forced, noColor, flag] = await Promise.all([
      runCli(args),
      runCli(args, { env: { FORCE_COLOR: '1' } }),
      runCli(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }),
      runCli([...args, '--no-color'], { env: { FORCE_COLOR: '1' } }),
    ])
    expect(piped.stdout).toContain('UNVERIFIED')
    expect(piped.stdout).not.toContain(ESC)
    expect(forced.stdout).toContain(ESC)
    expect(noColor.stdout).not.toContain(ESC)
    expect(flag.stdout).not.toContain(ESC)
  })
})

describe('config check', () => {
  it('accepts a valid file and summarizes it without secrets', async () => {
    const file = join(dir, 'good.yaml')
    await writeFile(
      file,
      'audience: https://api.test\nissuers:\n  - issuer: https://id.example.test\n    preset: auth0\nredis:\n  url: redis://:hunter2-password@redis.internal:6379\n',
    )
    const run = await runCli(['config', 'check', '--config', file, '--json'])
    expect(run.code, run.stderr + run.stdout).toBe(0)
    expect(run.json()).toEqual({
      valid: true,
      source: file,
      issuers: [{ issuer: 'https://id.example.test', preset: 'auth0' }],
      redis: true,
      projectResolvers: [],
    })
    expect(run.stdout).not.toContain('hunter2')
  })

  it('names the exact field at fault in a broken file, with exit 3', async () => {
    const broken = join(dir, 'broken.yaml')
    await writeFile(
      broken,
      'issuers:\n  - issuer: https://id.example.test\n    algorithms: [HS256]\ntokenCache:\n  ttlSec: -5\n',
    )
    const notYaml = join(dir, 'not-yaml.yaml')
    await writeFile(notYaml, 'issuers: [unclosed\n')
    const [human, json, yaml, missing, fromEnv] = await Promise.all([
      runCli(['config', 'check', '--config', broken]),
      runCli(['config', 'check', '--config', broken, '--json']),
      runCli(['config', 'check', '--config', notYaml]),
      runCli(['config', 'check', '--config', join(dir, 'absent.yaml')]),
      runCli(['config', 'check'], { env: { PORTCULLIS_CONFIG: broken } }),
    ])
    expect(human.code, human.stderr + human.stdout).toBe(3)
    expect(human.stdout).toContain('✗ invalid configuration')
    expect(human.stdout).toContain('- issuers[0].audience: an audience is required')
    expect(human.stdout).toContain('- tokenCache.ttlSec:')
    expect(json.code, json.stderr + json.stdout).toBe(3)
    expect(json.json().valid).toBe(false)
    expect(json.json().issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['issuers[0].audience', 'issuers[0].algorithms', 'tokenCache.ttlSec']),
    )
    expect(yaml.code, yaml.stderr + yaml.stdout).toBe(3)
    expect(yaml.stdout).toContain('not valid YAML')
    expect(missing.code, missing.stderr + missing.stdout).toBe(3)
    expect(missing.stdout).toContain('cannot read')
    expect(fromEnv.code, fromEnv.stderr + fromEnv.stdout).toBe(3)
    expect(fromEnv.stdout).toContain('issuers[0].audience')
  })

  it('verify with a broken config is exit 3 too, before anything is checked', async () => {
    const broken = join(dir, 'broken-verify.yaml')
    await writeFile(broken, 'issuers:\n  - issuer: https://id.example.test\n')
    const run = await runCli(['verify', 'e30.e30.sig', '--config', broken, '--json'])
    expect(run.code, run.stderr + run.stdout).toBe(3)
    expect(run.json().error).toMatchObject({
      code: 'config_invalid',
      issues: [{ path: 'issuers[0].audience' }],
    })
  })
})
